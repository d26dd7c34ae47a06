import { CommonErrors, type Actor } from "@jonquils/core";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ApiDeps, AppEnv } from "../env";

/**
 * Reads a Bearer token when one is sent. A bad token is refused even on public
 * routes (RFC 6750): silently treating it as anonymous would hide client bugs.
 * The refusal waits until the rate limiter has counted the request (by IP), so
 * bad tokens cannot be sprayed unmetered.
 */
export function authMiddleware(deps: ApiDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    if (header) {
      const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
      try {
        if (!match?.[1]) throw CommonErrors.unauthenticated();
        c.set("actor", await deps.auth.verifyAccessToken(match[1]));
      } catch (error) {
        c.set("authError", error instanceof Error ? error : new Error(String(error)));
      }
    }
    await next();
  });
}

/** Throws the error authMiddleware put aside, after rate limiting ran. */
export const rejectBadToken = createMiddleware<AppEnv>(async (c, next) => {
  const error = c.get("authError");
  if (error) throw error;
  await next();
});

/** The signed-in actor, or a 401. */
export function requireActor(c: Context<AppEnv>): Actor {
  const actor = c.get("actor");
  if (!actor) throw CommonErrors.unauthenticated();
  return actor;
}

export function requireAdmin(c: Context<AppEnv>): Actor {
  const actor = requireActor(c);
  if (actor.role !== "admin") throw CommonErrors.forbidden("Only admins can do this.");
  return actor;
}
