import { LRUCache } from "lru-cache";

/**
 * An LRU cache holding at most `max` entries that allocates as it fills. `lru-cache` given a
 * `max` preallocates six arrays of that length in its constructor (`Array.from` + `fill`): the
 * module-level caches of the API (~330,000 slots in all) cost ~115 ms of every Lambda cold
 * start in a CPU profile. Counting every entry as size 1 against `maxSize` is the same bound,
 * evicting the least recently used entry the same way, with nothing allocated up front.
 */
export function createLru<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(
  max: number,
  options: Omit<LRUCache.Options<K, V, unknown>, "max" | "maxSize" | "sizeCalculation"> = {},
): LRUCache<K, V> {
  return new LRUCache<K, V>({ ...options, maxSize: max, sizeCalculation: () => 1 });
}
