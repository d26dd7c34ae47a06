import { isIP } from "node:net";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ApiDeps, AppEnv } from "../env";

/**
 * The client's IP. Behind one trusted proxy the client is the entry that proxy appended: the
 * last one. Earlier entries are whatever the client sent, so trusting them would let it pick its
 * own IP. Only a real address: it is stored in inet columns (audit, refresh tokens), and a forged
 * X-Forwarded-For such as "unknown" would otherwise make every sign-up and sign-in fail.
 */
export function resolveClientIp(deps: ApiDeps, c: Context): string | undefined {
  const forwarded = deps.config.TRUST_PROXY
    ? c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim()
    : undefined;
  if (forwarded && isIP(forwarded) !== 0) return forwarded;
  const socket = deps.clientIp?.(c);
  return socket && isIP(socket) !== 0 ? socket : undefined;
}

/** Resolves the client IP and builds the per-request domain context. */
export function contextMiddleware(deps: ApiDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const ip = resolveClientIp(deps, c);
    const requestId = c.get("requestId");
    c.set("clientIp", ip);
    c.set("actor", null);
    c.set("ctx", { ...deps.ports, meta: { ip, requestId, userAgent: c.req.header("user-agent") } });
    await next();
  });
}
