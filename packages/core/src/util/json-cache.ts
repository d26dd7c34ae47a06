import type { Cache } from "../cache/cache";

/** A response body already serialised to JSON, so hot reads skip the database and the serialiser. */
export type JsonText = string & { readonly __json: unique symbol };

export const toJsonText = (value: unknown) => JSON.stringify(value) as JsonText;

/** Reads a serialised value through the cache. */
export async function cachedJson(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<unknown>,
): Promise<JsonText> {
  const hit = await cache.get<string>(key);
  if (typeof hit === "string") return hit as JsonText;
  const text = toJsonText(await load());
  await cache.set(key, text, ttlSeconds);
  return text;
}

/**
 * Namespaced keys: bumping a namespace's generation makes every key under it
 * unreachable at once (they then expire), without listing or scanning keys.
 */
export async function namespaceKey(cache: Cache, namespace: string, key: string): Promise<string> {
  const gen = await cache.readCounter(`gen:${namespace}`);
  return `${namespace}:${gen}:${key}`;
}

export async function bumpNamespace(cache: Cache, namespace: string): Promise<void> {
  await cache.increment(`gen:${namespace}`);
}
