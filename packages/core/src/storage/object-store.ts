/** The buckets JONQUILS uses (in AWS, one bucket each; locally, one folder each). */
export const BUCKETS = ["tracks", "covers", "playlists", "temp"] as const;
export type Bucket = (typeof BUCKETS)[number];

export const isBucket = (value: string): value is Bucket =>
  (BUCKETS as readonly string[]).includes(value);

/** S3 accepts presigned URLs and POST policies for at most seven days. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * A browser-ready direct upload: POST `fields` plus the file (last) as multipart/form-data
 * to `url`. The policy is signed by the server, so the key, size range and content type
 * cannot be changed, and it expires.
 */
export interface PresignedUpload {
  method: "POST";
  url: string;
  fields: Record<string, string>;
  /** Name of the form field that carries the file. */
  fileField: "file";
  expiresAt: string;
  maxBytes: number;
}

export interface UploadPolicy {
  /** Exact content type the upload must declare, e.g. "audio/mpeg"; must start with `contentTypePrefix`. */
  contentType: string;
  contentTypePrefix: string;
  maxBytes: number;
  expiresInSeconds: number;
}

export interface ObjectInfo {
  key: string;
  size: number;
  /** MD5 of the content in hex, without quotes (S3's ETag of a single-part upload). */
  etag: string | null;
  contentType: string | null;
  lastModified: Date | null;
}

/** Announced when an object lands in a bucket (S3 → EventBridge in AWS; the local store itself locally). */
export interface ObjectCreatedEvent {
  bucket: Bucket;
  key: string;
  size: number;
  etag: string | null;
}

/**
 * Receives object-created events. Called once per stored object, after the object is
 * complete and visible; it should hand the event on (queue, workflow) and return quickly.
 * A throw or rejection is logged and never undoes the upload.
 */
export type ObjectCreatedListener = (event: ObjectCreatedEvent) => void | Promise<void>;

/** `get` of a key that does not exist. */
export class ObjectNotFoundError extends Error {
  constructor(
    readonly bucket: Bucket,
    readonly key: string,
  ) {
    super(`No object ${bucket}/${key}.`);
    this.name = "ObjectNotFoundError";
  }
}

/**
 * The object store port. Keys are opaque strings chosen by the domain (never by a client):
 * relative, "/"-separated, no empty, "." or ".." segments (see `assertSafeKey`).
 *
 * Every object written — by `put` or by a client through a presigned upload — is announced
 * as object-created: S3 does it through EventBridge, the local store calls its listener.
 */
export interface ObjectStore {
  readonly kind: "s3" | "local";
  /** The real bucket name behind each logical bucket (S3 events carry the real name). */
  readonly bucketNames: Readonly<Record<Bucket, string>>;
  /** Throws if the policy is unusable (content type outside its prefix, size or expiry out of range). */
  presignUpload(bucket: Bucket, key: string, policy: UploadPolicy): Promise<PresignedUpload>;
  /** A short-lived GET URL; the target answers Range requests with 206. */
  presignDownload(
    bucket: Bucket,
    key: string,
    options: { expiresInSeconds: number; contentType?: string; filename?: string },
  ): Promise<string>;
  put(bucket: Bucket, key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The whole object; throws ObjectNotFoundError when there is none. */
  get(bucket: Bucket, key: string): Promise<Uint8Array>;
  head(bucket: Bucket, key: string): Promise<ObjectInfo | null>;
  /** Every object under a prefix in key order (UTF-8 binary, as S3), paging transparently. */
  list(bucket: Bucket, prefix?: string): AsyncIterable<ObjectInfo>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(bucket: Bucket, key: string): Promise<void>;
  ping(): Promise<void>;
}

/** Checks the policy every adapter must refuse to sign. */
export function assertUploadPolicy(policy: UploadPolicy): void {
  if (!policy.contentTypePrefix || !policy.contentType.startsWith(policy.contentTypePrefix))
    throw new Error(
      `content type ${policy.contentType} is outside the allowed prefix ${policy.contentTypePrefix}`,
    );
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(policy.contentType))
    throw new Error(`content type ${policy.contentType} is not a plain type/subtype`);
  if (!Number.isSafeInteger(policy.maxBytes) || policy.maxBytes < 1)
    throw new Error("maxBytes must be a positive integer");
  if (
    !Number.isInteger(policy.expiresInSeconds) ||
    policy.expiresInSeconds < 1 ||
    policy.expiresInSeconds > MAX_PRESIGN_SECONDS
  )
    throw new Error(`expiresInSeconds must be between 1 and ${MAX_PRESIGN_SECONDS}`);
}

const MAX_KEY_BYTES = 1024;

/**
 * Keys are server-chosen, but adapters still refuse anything that could escape a folder
 * or mean different things on disk and in S3.
 */
export function assertSafeKey(key: string): void {
  const why = unsafeKeyReason(key);
  if (why) throw new Error(`unsafe object key ${JSON.stringify(key.slice(0, 200))}: ${why}`);
}

export function unsafeKeyReason(key: string): string | null {
  if (!key) return "empty";
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (key.startsWith("/")) return "absolute";
  if (key.includes("\\")) return "contains a backslash";
  if (/[\u0000-\u001f\u007f]/.test(key)) return "contains control characters";
  // The disk store's sidecars (case-insensitively: macOS and Windows folders are).
  if (key.toLowerCase().endsWith(".meta.json")) return "reserved suffix .meta.json";
  for (const segment of key.split("/")) {
    if (segment === "" || segment === "." || segment === "..")
      return "empty, '.' or '..' path segment";
    if (Buffer.byteLength(segment) > 255) return "a segment longer than 255 bytes";
  }
  return null;
}

const FILENAME_MAX_BYTES = 120;

/**
 * A client's file name made safe as the last key segment: the base name only, Unicode
 * letters and digits kept, separators and anything odd replaced by "_", no leading dot,
 * at most 120 UTF-8 bytes (extension kept). Never empty.
 */
export function safeFilename(name: string): string {
  const base = name.normalize("NFC").split(/[/\\]/).pop() ?? "";
  let cleaned = base
    .replace(/[^\p{L}\p{M}\p{N} ._()+-]/gu, "_")
    .replace(/\s+/g, " ")
    .replace(/_+/g, "_")
    .trim()
    .replace(/^[.\s_-]+/, "")
    .replace(/\.meta\.json$/i, ".meta_json");
  if (Buffer.byteLength(cleaned) > FILENAME_MAX_BYTES) {
    const dot = cleaned.lastIndexOf(".");
    const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : "";
    let stem = cleaned.slice(0, cleaned.length - ext.length);
    while (Buffer.byteLength(stem + ext) > FILENAME_MAX_BYTES)
      stem = [...stem].slice(0, -1).join("");
    cleaned = stem.trimEnd() + ext;
  }
  return cleaned === "" || cleaned === "." || cleaned === ".." ? "file" : cleaned;
}
