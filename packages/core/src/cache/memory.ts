import { createLru } from "../util/lru";
import type { Cache } from "./cache";

/** In-process cache (the embedded default). Values are stored as given: treat them as immutable. */
export function createMemoryCache(maxEntries = 10_000): Cache {
  const lru = createLru<string, { v: unknown }>(maxEntries, { ttlAutopurge: false });
  const counters = new Map<string, number>();
  return {
    kind: "memory",
    async get<T>(key: string) {
      return lru.get(key)?.v as T | undefined;
    },
    async set(key, value, ttlSeconds) {
      lru.set(key, { v: value }, { ttl: ttlSeconds * 1000 });
    },
    async delete(...keys) {
      for (const k of keys) lru.delete(k);
    },
    async increment(key) {
      const next = (counters.get(key) ?? 0) + 1;
      counters.set(key, next);
      return next;
    },
    async readCounter(key) {
      return counters.get(key) ?? 0;
    },
    async ping() {},
    async close() {
      lru.clear();
    },
  };
}
