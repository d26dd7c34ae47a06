import { requestRecord } from "@jonquils/core/analytics/records";
import { peekTrackBody } from "@jonquils/core/track/index";
import type { CachedBody } from "@jonquils/core/util/json-cache";
import { Context, type ExecutionContext } from "hono";
import type { ApiDeps, AppEnv } from "../env";
import { problem } from "../problem";
import { etagMatches } from "../routes/json";
import { resolveClientIp } from "./context";
import { EXPOSED_HEADERS, SECURITY_HEADERS } from "./headers";
import { rateLimitHeaders, type RequestLimits } from "./rate-limit";

/** `GET /api/v1/tracks/{uuid}` (strict: false, so a trailing slash too). */
const TRACK_BY_ID =
  /^\/api\/v1\/tracks\/([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\/?$/;
/** The route template the request log records for it (the same as the full path records). */
const TRACK_ROUTE = "/api/v1/tracks/:id";
/** What hono/request-id accepts from the client (longer or other characters: a new id). */
const CLIENT_REQUEST_ID = /^[\w\-=]{1,64}$/;

/** The app's own `fetch` (Hono's dispatch: router, context, middleware, handler). */
export type AppFetch = (
  request: Request,
  env?: unknown,
  executionCtx?: ExecutionContext,
) => Response | Promise<Response>;

/**
 * The lean path for cache hits of public reads: `GET /api/v1/tracks/{id}` without a token
 * whose body is already cached. It wraps the app's `fetch` and answers before Hono's dispatch
 * (no router match over every route, no middleware chain) with the same headers the full stack
 * would set — security, CORS, request id, rate limit, ETag — copied from one precomputed object
 * into a plain header object (which @hono/node-server writes without building a `Headers`),
 * checks the id with one regular expression instead of a schema pass, answers `If-None-Match`
 * with 304, and records the request like the request-log middleware. It stays in the app, so
 * `app.request` (tests), @hono/node-server and the Lambda adapter all go through it.
 *
 * Anything else — a token (its verification and per-user limit), a cache miss (the database,
 * a 404, filling the cache) — goes to the full stack, which is the reference for every header
 * here (asserted in etag.test.ts). The lean path only ever serves bytes the full path cached
 * after validating the id, so its cheap check cannot let through an id the schema would refuse.
 * A refused rate limit answers here with the full stack's problem+json and headers.
 */
export function leanPublicReads(
  deps: ApiDeps,
  limits: RequestLimits,
  getPath: (request: Request, options: { env?: unknown }) => string,
  full: AppFetch,
): AppFetch {
  const queue = deps.ports.analytics.queue;
  const allowedOrigins = new Set(deps.config.CORS_ORIGINS);
  const exposed = EXPOSED_HEADERS.join(",");
  // The fixed headers, lower-cased once. Each response fills a fresh object from these two
  // arrays: adding properties to a spread copy (`{ ...base }`) leaves V8's fast path and cost
  // ≈ 6.5 µs a response; this loop ≈ 0.2 µs (measured in a micro-benchmark, node 20).
  const fixedNames = ["vary", ...SECURITY_HEADERS.map(([name]) => name.toLowerCase())];
  const fixedValues = ["Origin", ...SECURITY_HEADERS.map(([, value]) => value)];

  /**
   * The cached body of `id`, answered here; without one — or on any failure on the way (the
   * cache, the limiter, the client address…) — the full stack, whose onError answers a failure
   * with problem+json, a request id and the security headers.
   */
  async function lean(
    request: Request,
    env: unknown,
    executionCtx: ExecutionContext | undefined,
    path: string,
    id: string,
  ): Promise<Response> {
    try {
      return await answerCached(request, env, executionCtx, path, id);
    } catch {
      return full(request, env, executionCtx);
    }
  }

  async function answerCached(
    request: Request,
    env: unknown,
    executionCtx: ExecutionContext | undefined,
    path: string,
    id: string,
  ): Promise<Response> {
    const start = performance.now();
    // A failure here (the cache, the limiter) goes to the full stack, which meets the same
    // port and answers its failure the usual way (problem+json through onError).
    let body: CachedBody | undefined;
    try {
      body = await peekTrackBody(deps.ports, id);
    } catch {
      return full(request, env, executionCtx);
    }
    if (!body) return full(request, env, executionCtx);
    const reqHeaders = request.headers;
    const context = new Context<AppEnv>(request, { env, executionCtx, path });
    const ip = resolveClientIp(deps, context);
    const requestId = requestIdOf(reqHeaders.get("x-request-id"));
    const headers: Record<string, string> = {};
    for (let i = 0; i < fixedNames.length; i++) headers[fixedNames[i]!] = fixedValues[i]!;
    headers["x-request-id"] = requestId;
    let response: Response;
    let limited: Awaited<ReturnType<RequestLimits["consume"]>> | undefined;
    try {
      limited = limits.enabled ? await limits.consume(null, ip) : undefined;
    } catch {
      return full(request, env, executionCtx);
    }
    if (limited && !limited.decision.allowed) {
      // Rare: the full stack's headers on a context, and its problem+json.
      const { decision, limiter } = limited;
      for (const name in headers) context.header(name, headers[name]);
      for (const [name, value] of rateLimitHeaders(decision, limiter)) context.header(name, value);
      response = problem(
        context,
        429,
        "rate_limited",
        `Too many requests: at most ${decision.limit} a minute.`,
        { retryAfterSeconds: decision.resetSeconds },
      );
    } else {
      if (limited) {
        const { decision, limiter } = limited;
        headers["ratelimit-limit"] = String(decision.limit);
        headers["ratelimit-remaining"] = String(decision.remaining);
        headers["ratelimit-reset"] = String(decision.resetSeconds);
        headers["ratelimit-policy"] = `${limiter.limit};w=${limiter.windowSeconds}`;
      }
      const origin = reqHeaders.get("origin");
      if (origin && allowedOrigins.has(origin)) {
        headers["access-control-allow-origin"] = origin;
        headers["access-control-expose-headers"] = exposed;
      }
      headers["etag"] = body.etag;
      if (etagMatches(reqHeaders.get("if-none-match"), body.etag)) {
        response = new Response(null, { status: 304, headers });
      } else {
        headers["content-type"] = "application/json";
        response = new Response(body.json, { status: 200, headers });
      }
    }
    queue.enqueue(
      requestRecord({
        at: Date.now(),
        requestId,
        userId: null,
        method: "GET",
        route: TRACK_ROUTE,
        status: response.status,
        durationMs: performance.now() - start,
        userAgent: reqHeaders.get("user-agent") ?? "",
        ip: ip ?? "",
      }),
    );
    return response;
  }

  return (request, env, executionCtx) => {
    if (request.method !== "GET") return full(request, env, executionCtx);
    const path = getPath(request, { env });
    const match = TRACK_BY_ID.exec(path);
    if (!match || request.headers.get("authorization") !== null)
      return full(request, env, executionCtx);
    return lean(request, env, executionCtx, path, match[1]!);
  };
}

function requestIdOf(sent: string | null): string {
  return sent && CLIENT_REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
}
