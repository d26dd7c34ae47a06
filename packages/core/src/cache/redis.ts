import type { Redis } from "ioredis";
import type { Logger } from "../logger";
import type { Cache } from "./cache";

/**
 * Redis cache adapter. A cache outage must not fail requests: reads degrade to
 * misses and writes are logged; TTLs bound how stale anything can get.
 */
export function createRedisCache(redis: Redis, log: Logger, prefix: string): Cache {
  return {
    kind: "redis",
    async get<T>(key: string) {
      try {
        const raw = await redis.get(prefix + key);
        return raw === null ? undefined : (JSON.parse(raw) as T);
      } catch (error) {
        log.warn({ err: error, key }, "cache read failed; treating as a miss");
        return undefined;
      }
    },
    async set(key, value, ttlSeconds) {
      try {
        await redis.set(prefix + key, JSON.stringify(value), "EX", ttlSeconds);
      } catch (error) {
        log.warn({ err: error, key }, "cache write failed");
      }
    },
    async delete(...keys) {
      if (keys.length === 0) return;
      try {
        // One key per DEL: Valkey/ElastiCache Serverless is always cluster mode, where a
        // multi-key DEL across hash slots fails with CROSSSLOT. The commands still go out
        // together (ioredis writes them back to back on one connection).
        const results = await Promise.allSettled(keys.map((k) => redis.del(prefix + k)));
        const failed = results.find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
      } catch (error) {
        log.error({ err: error, keys }, "cache invalidation failed; entries expire with their TTL");
      }
    },
    async increment(key) {
      return redis.incr(prefix + key);
    },
    async readCounter(key) {
      try {
        return Number((await redis.get(prefix + key)) ?? 0);
      } catch (error) {
        // Without the generation no cached entry can be trusted: a unique key forces a miss.
        log.warn({ err: error, key }, "cache counter read failed");
        return -Date.now();
      }
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit();
    },
  };
}
