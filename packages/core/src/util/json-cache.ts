import { createHash } from "node:crypto";
import type { Cache } from "../cache/cache";

/** A response body already serialised to JSON, so hot reads skip the database and the serialiser. */
export type JsonText = string & { readonly __json: unique symbol };

export const toJsonText = (value: unknown) => JSON.stringify(value) as JsonText;

/**
 * A serialised response body as the cache keeps it: the JSON text and its strong ETag,
 * computed once when the entry is filled. A cache hit does no JSON work and no hashing.
 */
export interface CachedBody {
  readonly json: JsonText;
  /** Strong validator (RFC 9110 §8.8.3), quoted: the same bytes always have the same tag. */
  readonly etag: string;
}

/** Strong ETag of a body: 128 bits of its SHA-1, base64url, quoted. */
export function strongEtag(text: string): string {
  return `"${createHash("sha1").update(text).digest("base64url").slice(0, 22)}"`;
}

export const toCachedBody = (json: JsonText): CachedBody => ({ json, etag: strongEtag(json) });

function asCachedBody(hit: unknown): CachedBody | undefined {
  if (typeof hit === "string") return toCachedBody(hit as JsonText); // an entry cached before ETags
  if (hit && typeof hit === "object" && "json" in hit && "etag" in hit) {
    const { json, etag } = hit as Record<string, unknown>;
    if (typeof json === "string" && typeof etag === "string") return hit as CachedBody;
  }
  return undefined;
}

/** The cached body under `key`, or undefined on a miss (never loads). */
export async function peekCachedBody(cache: Cache, key: string): Promise<CachedBody | undefined> {
  return asCachedBody(await cache.get(key));
}

/** Reads a serialised value and its ETag through the cache. */
export async function cachedBody(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<unknown>,
): Promise<CachedBody> {
  const hit = asCachedBody(await cache.get(key));
  if (hit) return hit;
  const body = toCachedBody(toJsonText(await load()));
  await cache.set(key, body, ttlSeconds);
  return body;
}

/** Reads a serialised value through the cache. */
export async function cachedJson(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<unknown>,
): Promise<JsonText> {
  return (await cachedBody(cache, key, ttlSeconds, load)).json;
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
