import type { Redis } from "ioredis";
import { createCircuitBreaker, type CircuitBreaker } from "../cache/breaker";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
// Deep imports: the package's index requires every store it supports (Mongo, MySQL, DynamoDB,
// etcd, Prisma, …), ~55 KB of the API's Lambda bundle; these three are all the adapters use.
// Types: ./rate-limiter-flexible.d.ts.
import RateLimiterMemory from "rate-limiter-flexible/lib/RateLimiterMemory.js";
import RateLimiterRedis from "rate-limiter-flexible/lib/RateLimiterRedis.js";
import RateLimiterRes from "rate-limiter-flexible/lib/RateLimiterRes.js";

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** A fixed-window counter per key. */
export interface RateLimiter {
  readonly limit: number;
  readonly windowSeconds: number;
  /** Counts one hit against the key and says whether it is within the limit. */
  consume(key: string): Promise<RateLimitDecision>;
  /** Where the key stands, without counting a hit. */
  peek(key: string): Promise<RateLimitDecision>;
  reset(key: string): Promise<void>;
}

export interface RateLimitStore {
  readonly kind: "memory" | "redis";
  create(name: string, limit: number, windowSeconds: number): RateLimiter;
}

function wrap(limiter: RateLimiterAbstract, limit: number, windowSeconds: number): RateLimiter {
  const decide = (res: RateLimiterRes | null, allowed: boolean): RateLimitDecision => ({
    allowed,
    limit,
    remaining: Math.max(0, res ? res.remainingPoints : limit),
    resetSeconds: Math.max(0, Math.ceil((res ? res.msBeforeNext : windowSeconds * 1000) / 1000)),
  });
  return {
    limit,
    windowSeconds,
    async consume(key) {
      try {
        return decide(await limiter.consume(key), true);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return decide(rejection, false);
        throw rejection;
      }
    },
    async peek(key) {
      const res = await limiter.get(key);
      return decide(res, !res || res.consumedPoints < limit);
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}

export function createMemoryRateLimitStore(): RateLimitStore {
  return {
    kind: "memory",
    create: (name, limit, windowSeconds) =>
      wrap(
        new RateLimiterMemory({ keyPrefix: name, points: limit, duration: windowSeconds }),
        limit,
        windowSeconds,
      ),
  };
}

/**
 * Counters in Redis so every API instance shares them. If Redis is unreachable (a command
 * failed or timed out; the circuit breaker open) the limiter falls back to a per-process memory
 * limiter with the same limits rather than failing or delaying requests: during an outage each
 * instance enforces the limits on its own (N instances allow up to N× the limit), and counts
 * start afresh in Redis when it is back. A documented decision: availability over exactness.
 */
export function createRedisRateLimitStore(
  redis: Redis,
  prefix: string,
  breaker: CircuitBreaker = createCircuitBreaker(),
): RateLimitStore {
  return {
    kind: "redis",
    create: (name, limit, windowSeconds) => {
      const memory = wrap(
        new RateLimiterMemory({ keyPrefix: name, points: limit, duration: windowSeconds }),
        limit,
        windowSeconds,
      );
      const shared = wrap(
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${prefix}${name}`,
          points: limit,
          duration: windowSeconds,
        }),
        limit,
        windowSeconds,
      );
      return {
        limit,
        windowSeconds,
        consume: (key) =>
          breaker.run(
            () => shared.consume(key),
            () => memory.consume(key),
          ),
        peek: (key) =>
          breaker.run(
            () => shared.peek(key),
            () => memory.peek(key),
          ),
        reset: (key) =>
          breaker.run(
            async () => {
              await Promise.all([shared.reset(key), memory.reset(key)]);
            },
            () => memory.reset(key),
          ),
      };
    },
  };
}
