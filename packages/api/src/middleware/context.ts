import { createMiddleware } from "hono/factory";
import type { ApiDeps, AppEnv } from "../env";

/** Resolves the client IP and builds the per-request domain context. */
export function contextMiddleware(deps: ApiDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const forwarded = deps.config.TRUST_PROXY ? c.req.header("x-forwarded-for")?.split(",")[0]?.trim() : undefined;
    const ip = forwarded || deps.clientIp?.(c) || undefined;
    const requestId = c.get("requestId");
    c.set("clientIp", ip);
    c.set("actor", null);
    c.set("ctx", { ...deps.ports, meta: { ip, requestId, userAgent: c.req.header("user-agent") } });
    await next();
  });
}
