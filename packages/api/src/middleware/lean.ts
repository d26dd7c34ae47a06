import { requestRecord } from "@jonquils/core/analytics/records";
import { peekTrackBody } from "@jonquils/core/track/index";
import type { MiddlewareHandler } from "hono";
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

/**
 * The lean path for cache hits of public reads: `GET /api/v1/tracks/{id}` without a token
 * whose body is already cached. It answers from the first middleware with the same headers
 * the full stack would set — security, CORS, request id, rate limit, ETag — from one
 * precomputed set, as a plain header object (which @hono/node-server writes without building
 * a `Headers`), checks the id with one regular expression instead of a schema pass, answers
 * `If-None-Match` with 304, and records the request like the request-log middleware.
 *
 * Anything else — a token (its verification and per-user limit), a cache miss (the database,
 * a 404, filling the cache), a refused rate limit's problem+json — goes down the full stack,
 * which is the reference for every header here (asserted in lean.test.ts). The lean path only
 * ever serves bytes the full path cached after validating the id, so its cheap check cannot
 * let through an id the schema would refuse.
 */
export function leanPublicReads(deps: ApiDeps, limits: RequestLimits): MiddlewareHandler<AppEnv> {
  const queue = deps.ports.analytics.queue;
  const allowedOrigins = new Set(deps.config.CORS_ORIGINS);
  const exposed = EXPOSED_HEADERS.join(",");
  const base: Record<string, string> = { vary: "Origin" };
  for (const [name, value] of SECURITY_HEADERS) base[name.toLowerCase()] = value;

  return async (c, next) => {
    if (c.req.method !== "GET") return next();
    const match = TRACK_BY_ID.exec(c.req.path);
    if (!match || c.req.header("authorization") !== undefined) return next();
    const start = performance.now();
    const body = await peekTrackBody(deps.ports, match[1]!);
    if (!body) return next();

    const ip = resolveClientIp(deps, c);
    const requestId = requestIdOf(c.req.header("x-request-id"));
    const headers: Record<string, string> = { ...base, "x-request-id": requestId };
    let response: Response;
    const limited = limits.enabled ? await limits.consume(null, ip) : undefined;
    if (limited && !limited.decision.allowed) {
      // Rare: the full stack's headers on the context, and its problem+json.
      const { decision, limiter } = limited;
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
      for (const [name, value] of rateLimitHeaders(decision, limiter)) c.header(name, value);
      response = problem(
        c,
        429,
        "rate_limited",
        `Too many requests: at most ${decision.limit} a minute.`,
        { retryAfterSeconds: decision.resetSeconds },
      );
    } else {
      if (limited)
        for (const [name, value] of rateLimitHeaders(limited.decision, limited.limiter))
          headers[name.toLowerCase()] = value;
      const origin = c.req.header("origin");
      if (origin && allowedOrigins.has(origin)) {
        headers["access-control-allow-origin"] = origin;
        headers["access-control-expose-headers"] = exposed;
      }
      headers["etag"] = body.etag;
      if (etagMatches(c.req.header("if-none-match"), body.etag)) {
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
        userAgent: c.req.header("user-agent") ?? "",
        ip: ip ?? "",
      }),
    );
    return response;
  };
}

function requestIdOf(sent: string | undefined): string {
  return sent && CLIENT_REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
}
