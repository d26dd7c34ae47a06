import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { ApiDeps, AppEnv } from "./env";
import { authMiddleware, rejectBadToken } from "./middleware/auth";
import { contextMiddleware } from "./middleware/context";
import { requestLogMiddleware } from "./middleware/request-log";
import { corsHeaders, securityHeaders } from "./middleware/headers";
import { leanPublicReads } from "./middleware/lean";
import { createRequestLimits, rateLimitMiddleware } from "./middleware/rate-limit";
import { handleError, problem } from "./problem";
import { adminRoutes } from "./routes/admin";
import { adminUserRoutes } from "./routes/admin-users";
import { albumRoutes, genreRoutes } from "./routes/albums";
import { analyticsRoutes } from "./routes/analytics";
import { artistRoutes } from "./routes/artists";
import { authRoutes } from "./routes/auth";
import { docsRoutes } from "./routes/docs";
import { healthRoutes } from "./routes/health";
import { credentialRoutes } from "./routes/credentials";
import { libraryRoutes } from "./routes/library";
import { playlistExportRoutes } from "./routes/playlist-export";
import { smartPlaylistRoutes } from "./routes/smart-playlists";
import { subsonicRoutes } from "./subsonic/routes";
import { monitoringRoutes } from "./routes/monitoring";
import { playlistRoutes } from "./routes/playlists";
import { searchRoutes, trackSearchAliasRoutes } from "./routes/search";
import { trackRoutes } from "./routes/tracks";
import { trackUploadRoutes, uploadRoutes } from "./routes/uploads";

const MAX_JSON_BODY = 1024 * 1024;

/** The whole HTTP API: the same app runs under @hono/node-server locally and in Lambda. */
export function createApp(deps: ApiDeps) {
  const log = deps.ports.log;
  const app = new OpenAPIHono<AppEnv>({
    // "/api/v1/tracks/" and "/api/v1/tracks" are the same route (the product description
    // writes paths with the slash, clients often without).
    strict: false,
    // Every validation failure becomes one problem+json shape, listing each bad field.
    defaultHook: (result, c) => {
      if (!result.success) {
        const errors = result.error.issues.map((i) => ({
          path: i.path.join(".") || "(body)",
          message: i.message,
        }));
        return problem(
          c,
          400,
          "validation_failed",
          errors.map((e) => `${e.path}: ${e.message}`).join("; "),
          { errors },
        );
      }
      return undefined;
    },
  });

  const limits = createRequestLimits(deps);
  app.use(requestId({ limitLength: 64 }));
  app.use(securityHeaders);
  app.use(contextMiddleware(deps));
  // Every request lands in api_requests_log — preflights and 413s included: enqueued after the
  // response is built, never awaited.
  app.use(requestLogMiddleware(deps));
  app.use(corsHeaders(deps.config.CORS_ORIGINS));
  const limitBody = bodyLimit({
    maxSize: MAX_JSON_BODY,
    onError: (c) =>
      problem(c, 413, "payload_too_large", `Request bodies are limited to ${MAX_JSON_BODY} bytes.`),
  });
  // GET and HEAD carry no body; reading c.req.raw.body would build a full Request each time.
  // Signed uploads to /storage enforce their own (much larger) cap while streaming.
  app.use((c, next) =>
    c.req.method === "GET" || c.req.method === "HEAD" || c.req.path.startsWith("/storage/")
      ? next()
      : limitBody(c, next),
  );
  if (deps.storageRoutes) app.route("/storage", deps.storageRoutes);
  app.route("/", healthRoutes(deps));
  app.route("/", docsRoutes(deps.docsAssets));

  const api = new OpenAPIHono<AppEnv>({ defaultHook: app.defaultHook });
  api.use(authMiddleware(deps));
  api.use(rateLimitMiddleware(deps, limits));
  api.use(rejectBadToken);
  api.route("/auth", authRoutes(deps));
  api.route("/auth", credentialRoutes(deps));
  // Likes, ratings, play queue, "more like this" (/tracks/{id}/like, /me/…).
  api.route("/", libraryRoutes());
  api.route("/uploads", uploadRoutes());
  api.route("/tracks", trackUploadRoutes(deps.uploadOptions));
  // Before trackRoutes, so /tracks/search is not taken for a track id.
  api.route("/tracks", trackSearchAliasRoutes());
  api.route("/tracks", trackRoutes());
  api.route("/artists", artistRoutes());
  api.route("/albums", albumRoutes());
  api.route("/genres", genreRoutes());
  api.route("/playlists", playlistRoutes());
  api.route("/playlists", playlistExportRoutes());
  api.route("/smart-playlists", smartPlaylistRoutes());
  api.route("/search", searchRoutes());
  api.route("/analytics", analyticsRoutes());
  api.route("/admin/monitoring", monitoringRoutes(deps.monitoring));
  api.route("/admin/users", adminUserRoutes(deps));
  api.route("/admin", adminRoutes());
  app.route("/api/v1", api);
  // The (Open)Subsonic API for player apps: its own auth, envelope and error codes.
  app.route("/rest", subsonicRoutes(deps));

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Access token from /api/v1/auth/login or /register (15 minutes).",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "JONQUILS API",
      version: "1.0.0",
      description:
        "Catalog, playlists and accounts of the JONQUILS music service. Errors are RFC 9457 problem+json.",
    },
    servers: [{ url: "/" }],
  });

  app.notFound((c) =>
    problem(c, 404, "route_not_found", `No route for ${c.req.method} ${c.req.path}.`),
  );
  app.onError((error, c) => handleError(error, c, log));
  // Cache hits of public reads by id answer before Hono's dispatch, with the same headers as
  // the stack above (middleware/lean.ts); everything else goes to Hono's own fetch.
  app.fetch = leanPublicReads(deps, limits, app.getPath, app.fetch);
  return app;
}

export type App = ReturnType<typeof createApp>;
