import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level: equal content, equal text (jsonb reorders keys). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

/**
 * A document's content version: a hash of the document as the API returns it. The drift check
 * compares the index's digests with those of documents built from the catalog now.
 */
export function documentDigest(doc: unknown): string {
  return createHash("sha256").update(canonical(doc)).digest("base64url").slice(0, 22);
}
