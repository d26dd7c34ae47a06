import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";

/**
 * Security headers, set before the handler runs (c.header) rather than patched onto the
 * finished response: touching c.res afterwards makes Hono and node-server rebuild every
 * response, which cost most of the API's per-request time in `npm run bench:api`.
 * Pages with other needs (the docs) override Content-Security-Policy in their handler.
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["Strict-Transport-Security", "max-age=63072000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  ["Referrer-Policy", "no-referrer"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-site"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
];

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
  await next();
};

export const EXPOSED_HEADERS = [
  "RateLimit-Limit",
  "RateLimit-Remaining",
  "RateLimit-Reset",
  "RateLimit-Policy",
  "Retry-After",
  "X-Request-Id",
];

/**
 * CORS for the configured origins. Preflights go through hono/cors; simple requests get
 * the same allow/expose headers up front, for the same reason as above.
 */
export function corsHeaders(origins: readonly string[]): MiddlewareHandler<AppEnv> {
  const preflight = cors({
    origin: [...origins],
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "X-Request-Id", "Idempotency-Key"],
    exposeHeaders: [...EXPOSED_HEADERS],
    maxAge: 600,
  });
  const allowed = new Set(origins);
  const exposed = EXPOSED_HEADERS.join(",");
  return async (c, next) => {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    c.header("Vary", "Origin");
    const origin = c.req.header("origin");
    if (origin && allowed.has(origin)) {
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Access-Control-Expose-Headers", exposed);
    }
    await next();
  };
}
