/** The cache port: JSON values with a time to live. */
export interface Cache {
  readonly kind: "memory" | "redis";
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /** Atomically increments a counter (created at 1), used for namespace generations. */
  increment(key: string): Promise<number>;
  /** The counter's value (0 when never incremented). Counters are never evicted. */
  readCounter(key: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Reads through the cache: returns the cached value or computes, stores and returns it. */
export async function cached<T>(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<T>,
): Promise<T> {
  const hit = await cache.get<T>(key);
  if (hit !== undefined) return hit;
  const value = await load();
  if (value !== undefined) await cache.set(key, value, ttlSeconds);
  return value;
}
