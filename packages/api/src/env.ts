import type { Actor, Config, Ctx, Ports } from "@jonquils/core";
import type { AuthService } from "@jonquils/core/auth/index";
import type { Context, Hono } from "hono";
import type { MonitoringService } from "@jonquils/core/monitoring/monitor";
import type { SafeFetchOptions } from "@jonquils/core/upload/safe-fetch";

/** What the API needs from a wiring (local server, Lambda or a test). */
export interface ApiDeps {
  readonly ports: Ports;
  readonly config: Config;
  readonly auth: AuthService;
  /** The caller's IP as the runtime sees it (socket, or API Gateway's sourceIp). */
  readonly clientIp?: (c: Context) => string | undefined;
  /** One probe per adapter, reported by GET /health. */
  readonly probes: readonly HealthProbe[];
  /** The local object store's signed upload/download routes, mounted at /storage. */
  readonly storageRoutes?: Hono | undefined;
  /** Options of the upload routes (tests inject a safe-fetch allowlist for URL imports). */
  readonly uploadOptions?: TrackUploadRouteOptions;
  /** Health, data-quality and performance checks behind /api/v1/admin/monitoring. */
  readonly monitoring?: MonitoringService | undefined;
  /** Where /docs and /redoc load their scripts from: this server (default) or a CDN. */
  readonly docsAssets?: "local" | "cdn";
  /**
   * Start-up work still running after the port opened (`npm start` seeds the demo catalog then),
   * reported by GET /health as `demo`.
   */
  readonly startup?: (() => StartupStatus) | undefined;
}

/** Options of the upload routes (here, not in the route file, so the two do not import each other). */
export interface TrackUploadRouteOptions {
  /** How upload-from-url fetches (tests: resolver, allowed networks). Production: defaults. */
  fetchOptions?: Partial<SafeFetchOptions>;
}

/** `loading`: the demo catalog is still being seeded and indexed; `failed`: see the log. */
export interface StartupStatus {
  demo: "loading" | "ready" | "failed";
}

export interface AppEnv {
  Variables: {
    ctx: Ctx;
    actor: Actor | null;
    /** A presented but invalid token, thrown after rate limiting. */
    authError: Error | undefined;
    requestId: string;
    clientIp: string | undefined;
  };
}

export interface HealthProbe {
  /** Component name in the report, e.g. "database". */
  readonly name: string;
  /** Which adapter serves it, e.g. "pglite" or "postgres". */
  readonly adapter: string;
  /** false: the API keeps serving without it; /health answers "degraded" (200), not 503. */
  readonly critical?: boolean;
  ping(): Promise<void>;
}
