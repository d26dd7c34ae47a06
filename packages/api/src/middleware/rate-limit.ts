import type { Actor, RateLimitDecision, RateLimiter } from "@jonquils/core";
import { createMiddleware } from "hono/factory";
import type { ApiDeps, AppEnv } from "../env";
import { problem } from "../problem";

const WINDOW_SECONDS = 60;

/** The per-IP and per-user limiters of one app: the middleware and the lean read path share them. */
export interface RequestLimits {
  readonly enabled: boolean;
  /** Counts one request of `actor` (or of the IP when anonymous). */
  consume(
    actor: Actor | null,
    ip: string | undefined,
  ): Promise<{ decision: RateLimitDecision; limiter: RateLimiter }>;
}

export function createRequestLimits(deps: ApiDeps): RequestLimits {
  const { config, ports } = deps;
  const perIp = ports.rateLimits.create("ip", config.RATE_LIMIT_IP_PER_MINUTE, WINDOW_SECONDS);
  const perUser = ports.rateLimits.create(
    "user",
    config.RATE_LIMIT_USER_PER_MINUTE,
    WINDOW_SECONDS,
  );
  return {
    enabled: config.RATE_LIMIT_ENABLED,
    async consume(actor, ip) {
      const limiter = actor ? perUser : perIp;
      const decision = await limiter.consume(actor ? actor.userId : (ip ?? "unknown"));
      return { decision, limiter };
    },
  };
}

/** The IETF RateLimit headers of one decision, as [name, value] pairs. */
export function rateLimitHeaders(
  decision: RateLimitDecision,
  limiter: RateLimiter,
): [string, string][] {
  return [
    ["RateLimit-Limit", String(decision.limit)],
    ["RateLimit-Remaining", String(decision.remaining)],
    ["RateLimit-Reset", String(decision.resetSeconds)],
    ["RateLimit-Policy", `${limiter.limit};w=${limiter.windowSeconds}`],
  ];
}

/**
 * Per-IP and per-user request limits with the IETF RateLimit headers
 * (draft-ietf-httpapi-ratelimit-headers): RateLimit-Limit/-Remaining/-Reset and RateLimit-Policy.
 */
export function rateLimitMiddleware(deps: ApiDeps, limits = createRequestLimits(deps)) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!limits.enabled) return next();
    const { decision, limiter } = await limits.consume(c.get("actor"), c.get("clientIp"));
    // Set before the handler runs so they ride on whatever response it makes (see headers.ts).
    for (const [name, value] of rateLimitHeaders(decision, limiter)) c.header(name, value);
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
