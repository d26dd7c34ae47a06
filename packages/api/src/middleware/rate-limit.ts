import type { RateLimitDecision } from "@jonquils/core";
import { createMiddleware } from "hono/factory";
import type { ApiDeps, AppEnv } from "../env";
import { problem } from "../problem";

const WINDOW_SECONDS = 60;

/**
 * Per-IP and per-user request limits with the IETF RateLimit headers
 * (draft-ietf-httpapi-ratelimit-headers): RateLimit-Limit/-Remaining/-Reset and RateLimit-Policy.
 */
export function rateLimitMiddleware(deps: ApiDeps) {
  const { config, ports } = deps;
  const perIp = ports.rateLimits.create("ip", config.RATE_LIMIT_IP_PER_MINUTE, WINDOW_SECONDS);
  const perUser = ports.rateLimits.create(
    "user",
    config.RATE_LIMIT_USER_PER_MINUTE,
    WINDOW_SECONDS,
  );
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!config.RATE_LIMIT_ENABLED) return next();
    const actor = c.get("actor");
    const decision: RateLimitDecision = actor
      ? await perUser.consume(actor.userId)
      : await perIp.consume(c.get("clientIp") ?? "unknown");
    const limiter = actor ? perUser : perIp;
    // Set before the handler runs so they ride on whatever response it makes (see headers.ts).
    c.header("RateLimit-Limit", String(decision.limit));
    c.header("RateLimit-Remaining", String(decision.remaining));
    c.header("RateLimit-Reset", String(decision.resetSeconds));
    c.header("RateLimit-Policy", `${limiter.limit};w=${limiter.windowSeconds}`);
    if (!decision.allowed) {
      return problem(
        c,
        429,
        "rate_limited",
        `Too many requests: at most ${decision.limit} a minute.`,
        {
          retryAfterSeconds: decision.resetSeconds,
        },
      );
    }
    await next();
  });
}
