import { Redis } from "ioredis";
import { redisTestKit } from "../testing/redis";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import type { Cache } from "./cache";
import { createMemoryCache } from "./memory";
import { createRedisCache } from "./redis";

const redis = redisTestKit();

const adapters: [string, () => Cache][] = [["memory", () => createMemoryCache()]];
if (redis.url) {
  adapters.push([
    "redis",
    () => {
      const { redis: client, prefix } = redis.connect();
      return createRedisCache(client, createLogger("silent"), prefix);
    },
  ]);
}

afterAll(() => redis.cleanup());

/** The same cases against every reachable adapter of the cache port. */
describe.each(adapters)("cache contract (%s)", (_name, make) => {
  const cache = make();

  it("returns what was stored, as JSON values", async () => {
    await cache.set("a", { n: 1, s: "ё", list: [1, 2] }, 60);
    expect(await cache.get("a")).toEqual({ n: 1, s: "ё", list: [1, 2] });
    await cache.set("text", '{"already":"json"}', 60);
    expect(await cache.get("text")).toBe('{"already":"json"}');
  });

  it("misses on an unknown key", async () => {
    expect(await cache.get("never-set")).toBeUndefined();
  });

  it("forgets deleted keys, several at once", async () => {
    await cache.set("d1", 1, 60);
    await cache.set("d2", 2, 60);
    await cache.delete("d1", "d2");
    expect(await cache.get("d1")).toBeUndefined();
    expect(await cache.get("d2")).toBeUndefined();
    await cache.delete();
  });

  it("expires entries after their TTL", async () => {
    await cache.set("ttl", "x", 1);
    expect(await cache.get("ttl")).toBe("x");
    await new Promise((r) => setTimeout(r, 1100));
    expect(await cache.get("ttl")).toBeUndefined();
  });

  it("counts atomically from 1, and reads counters without changing them", async () => {
    expect(await cache.readCounter("c")).toBe(0);
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.increment("c")));
    expect(new Set(results).size).toBe(20);
    expect(Math.max(...results)).toBe(20);
    expect(await cache.readCounter("c")).toBe(20);
  });

  it("answers ping", async () => {
    await expect(cache.ping()).resolves.toBeUndefined();
  });
});

describe("redis cache when the server is unreachable", () => {
  it("degrades reads to misses instead of failing the request", async () => {
    const redis = new Redis("redis://127.0.0.1:1", {
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    redis.on("error", () => {});
    const cache = createRedisCache(redis, createLogger("silent"), "x:");
    expect(await cache.get("k")).toBeUndefined();
    await expect(cache.set("k", 1, 10)).resolves.toBeUndefined();
    await expect(cache.ping()).rejects.toThrow();
    redis.disconnect();
  });
});
