import type { Redis } from "ioredis";
import type { Logger } from "../logger";
import { createCircuitBreaker, type CircuitBreaker } from "./breaker";
import type { Cache } from "./cache";
import { createMemoryCache } from "./memory";

/**
 * Redis cache adapter. A cache outage must not fail or slow requests: every command is bounded
 * (ioredis commandTimeout) and goes through a circuit breaker; while Redis is unreachable the
 * process uses an in-memory cache instead (its own entries and generation counters), so hot
 * reads stay fast. TTLs bound how stale anything can get, across processes and after recovery.
 */
export function createRedisCache(
  redis: Redis,
  log: Logger,
  prefix: string,
  breaker: CircuitBreaker = createCircuitBreaker(),
): Cache {
  const memory = createMemoryCache();
  let lastWarn = 0;
  const warn = (error: unknown, what: string) => {
    // One line per 10 s during an outage, not one per request.
    if (error === undefined || Date.now() - lastWarn < 10_000) return;
    lastWarn = Date.now();
    log.warn({ err: error }, `${what}; using the in-memory cache while Redis is unreachable`);
  };
  return {
    kind: "redis",
    get<T>(key: string) {
      return breaker.run(
        async () => {
          const raw = await redis.get(prefix + key);
          return raw === null ? undefined : (JSON.parse(raw) as T);
        },
        (error) => {
          warn(error, "cache read failed");
          return memory.get<T>(key);
        },
      );
    },
    set(key, value, ttlSeconds) {
      return breaker.run(
        async () => void (await redis.set(prefix + key, JSON.stringify(value), "EX", ttlSeconds)),
        (error) => {
          warn(error, "cache write failed");
          return memory.set(key, value, ttlSeconds);
        },
      );
    },
    async delete(...keys) {
      if (keys.length === 0) return;
      await memory.delete(...keys);
      await breaker.run(
        async () => {
          // One key per DEL: Valkey/ElastiCache Serverless is always cluster mode, where a
          // multi-key DEL across hash slots fails with CROSSSLOT. The commands still go out
          // together (ioredis writes them back to back on one connection).
          const results = await Promise.allSettled(keys.map((k) => redis.del(prefix + k)));
          const failed = results.find((r) => r.status === "rejected");
          if (failed) throw failed.reason;
        },
        (error) => {
          if (error !== undefined)
            log.error(
              { err: error, keys },
              "cache invalidation failed; entries expire with their TTL",
            );
        },
      );
    },
    async increment(key) {
      // Bumped in memory too, so this process stops serving its own fallback entries.
      await memory.increment(key);
      return breaker.run(
        () => redis.incr(prefix + key),
        (error) => {
          warn(error, "cache generation bump failed");
          return memory.readCounter(key);
        },
      );
    },
    readCounter(key) {
      return breaker.run(
        async () => Number((await redis.get(prefix + key)) ?? 0),
        async (error) => {
          warn(error, "cache counter read failed");
          // A generation Redis never had: fallback entries live in their own key space.
          return -1 - (await memory.readCounter(key));
        },
      );
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await memory.close();
      await redis.quit();
    },
  };
}
