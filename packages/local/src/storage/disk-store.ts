import type { Logger } from "@jonquils/core";
import {
  assertSafeKey,
  assertUploadPolicy,
  BUCKETS,
  isBucket,
  ObjectNotFoundError,
  unsafeKeyReason,
  type Bucket,
  type ObjectCreatedEvent,
  type ObjectCreatedListener,
  type ObjectInfo,
  type ObjectStore,
  type PresignedUpload,
  type UploadPolicy,
} from "@jonquils/core/storage/object-store";
import type { Hono } from "hono";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { constants, existsSync } from "node:fs";
import {
  access,
  mkdir,
  readdir,
  readFile,
  rename,
  rmdir,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { DiskStoreInternals, ObjectMeta, UploadCheck } from "./disk-internals";
import { diskStorageRoutes } from "./disk-routes";
import { UploadTargetUsedError } from "./errors";

export { UploadTargetUsedError } from "./errors";
export type { DiskStoreInternals, DownloadCheck, ObjectMeta, UploadCheck } from "./disk-internals";

/**
 * The embedded object store: files under `<root>/<bucket>/<key>`, a `<key>.meta.json`
 * sidecar (content type, MD5 etag), temporary files under `<root>/.tmp` renamed into
 * place (never a half-written object), and S3's browser-facing semantics served by the
 * local server (`routes`, mounted at `/storage`): HMAC-signed POST policies for direct
 * uploads (key, bucket, content type, size range, expiry) and signed, expiring GET URLs
 * with Range support. Every stored object is announced once to the object-created
 * listeners, as S3 announces it to EventBridge.
 */
export interface DiskStoreOptions {
  /** Directory holding one folder per bucket (the local wiring uses DATA_DIR/objects). */
  root: string;
  /** The local server's public base URL, e.g. http://localhost:8000. */
  publicUrl: string;
  /** Where the routes are mounted on that server. */
  mountPath?: string;
  /** Signing key (≥ 32 bytes); the local wiring derives it from the JWT secret. */
  secret: string | Uint8Array;
  onObjectCreated?: ObjectCreatedListener;
  log?: Pick<Logger, "error" | "warn">;
  /** Clock in ms (tests move it to expire signatures). */
  now?: () => number;
}

export interface DiskObjectStore extends ObjectStore {
  readonly kind: "local";
  readonly root: string;
  /** The HTTP side: POST /upload and GET|HEAD /object/<bucket>/<key>. Mount at `mountPath`. */
  readonly routes: Hono;
  /** Adds a listener (besides `onObjectCreated`); returns a function that removes it. */
  addObjectCreatedListener(listener: ObjectCreatedListener): () => void;
  /**
   * Removes partial files older than `olderThanMs` that a crash or a killed upload left in
   * `.tmp` (run once when the store opens); returns how many went.
   */
  sweepTemp(olderThanMs?: number): Promise<number>;
}

/** Form fields of a local presigned upload (S3's own names where S3 has one). */
export const UPLOAD_FIELDS = {
  key: "key",
  contentType: "Content-Type",
  policy: "policy",
  signature: "x-jq-signature",
} as const;

interface PolicyDoc {
  v: 1;
  b: Bucket;
  k: string;
  ct: string;
  ctp: string;
  max: number;
  /** Expiry, Unix seconds. */
  exp: number;
}

const META_SUFFIX = ".meta.json";

/** Partial files older than this belong to no live upload (uploads are capped at minutes). */
const TEMP_MAX_AGE_MS = 6 * 3600_000;

/** The store's signing key, derived from the JWT secret so one local secret file serves both. */
export function deriveStorageSecret(jwtSecret: string): Buffer {
  return createHmac("sha256", jwtSecret).update("jonquils/local-object-store/v1").digest();
}

export function createDiskObjectStore(options: DiskStoreOptions): DiskObjectStore {
  const root = resolve(options.root);
  const tmpDir = join(root, ".tmp");
  const usedDir = join(root, ".used");
  const secret =
    typeof options.secret === "string" ? Buffer.from(options.secret) : Buffer.from(options.secret);
  if (secret.length < 32) throw new Error("the object store's signing secret must be ≥ 32 bytes");
  const base = options.publicUrl.replace(/\/+$/, "") + (options.mountPath ?? "/storage");
  const now = options.now ?? Date.now;
  const listeners = new Set<ObjectCreatedListener>();
  if (options.onObjectCreated) listeners.add(options.onObjectCreated);

  const sign = (purpose: "upload" | "download", payload: string) =>
    createHmac("sha256", secret).update(`${purpose}\n${payload}`).digest("base64url");
  const signatureMatches = (expected: string, given: string | undefined) => {
    if (!given) return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const downloadPayload = (
    bucket: string,
    key: string,
    expires: number,
    contentType: string,
    filename: string,
  ) => JSON.stringify([bucket, key, expires, contentType, filename]);

  function objectPath(bucket: Bucket, key: string): string {
    assertSafeKey(key);
    if (!isBucket(bucket)) throw new Error(`unknown bucket ${String(bucket)}`);
    const dir = join(root, bucket);
    const path = resolve(dir, key);
    // Defence in depth: assertSafeKey already refuses every way out of the folder.
    if (!path.startsWith(dir + sep)) throw new Error(`object key escapes its bucket: ${key}`);
    return path;
  }

  async function tempPath(): Promise<string> {
    await mkdir(tmpDir, { recursive: true });
    return join(tmpDir, `${randomBytes(12).toString("hex")}.part`);
  }

  async function readMeta(bucket: Bucket, key: string): Promise<ObjectMeta | null> {
    try {
      return JSON.parse(
        await readFile(objectPath(bucket, key) + META_SUFFIX, "utf8"),
      ) as ObjectMeta;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  function announce(event: ObjectCreatedEvent) {
    for (const listener of listeners) {
      const report = (err: unknown) =>
        options.log?.error({ err, event }, "object-created listener failed");
      try {
        const result = listener(event);
        if (result && typeof result.then === "function") result.then(undefined, report);
      } catch (error) {
        report(error);
      }
    }
  }

  /** Marker of a signed form's key that was written (kept after the object is removed). */
  const usedMarker = (bucket: Bucket, key: string) =>
    join(usedDir, bucket, createHash("sha256").update(key).digest("hex"));

  async function commit(
    bucket: Bucket,
    key: string,
    tempFile: string,
    meta: { contentType: string; etag: string; size: number },
    commitOptions: { once?: boolean } = {},
  ): Promise<void> {
    const final = objectPath(bucket, key);
    if (commitOptions.once) {
      // Exclusive create: of two posts of one form, racing or replayed later, one wins.
      await mkdir(join(usedDir, bucket), { recursive: true });
      try {
        await writeFile(usedMarker(bucket, key), key, { flag: "wx", mode: 0o600 });
      } catch (error) {
        await unlink(tempFile).catch(ignoreMissing);
        if ((error as NodeJS.ErrnoException).code === "EEXIST")
          throw new UploadTargetUsedError(key);
        throw error;
      }
    }
    try {
      await mkdir(dirname(final), { recursive: true });
      const metaTemp = tempFile + ".meta";
      const doc: ObjectMeta = { ...meta, createdAt: new Date(now()).toISOString() };
      await writeFile(metaTemp, JSON.stringify(doc), { mode: 0o600 });
      // The sidecar first: the object exists once its data file does, and then its meta does too.
      await rename(metaTemp, final + META_SUFFIX);
      await rename(tempFile, final);
    } catch (error) {
      await unlink(tempFile).catch(ignoreMissing);
      await unlink(tempFile + ".meta").catch(ignoreMissing);
      throw error;
    }
    announce({ bucket, key, size: meta.size, etag: meta.etag });
  }

  async function infoOf(bucket: Bucket, key: string): Promise<ObjectInfo | null> {
    let st;
    try {
      st = await stat(objectPath(bucket, key));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    if (!st.isFile()) return null;
    const meta = await readMeta(bucket, key);
    return {
      key,
      size: st.size,
      etag: meta?.etag ?? null,
      contentType: meta?.contentType ?? null,
      lastModified: st.mtime,
    };
  }

  const internals: DiskStoreInternals = {
    log: options.log,
    now,
    tempPath,
    commit,
    objectPath,
    readMeta,

    verifyUpload(fields) {
      const policy = fields.get(UPLOAD_FIELDS.policy.toLowerCase());
      const signature = fields.get(UPLOAD_FIELDS.signature.toLowerCase());
      const key = fields.get(UPLOAD_FIELDS.key.toLowerCase());
      const contentType = fields.get(UPLOAD_FIELDS.contentType.toLowerCase());
      if (!policy || !signature)
        return fail(403, "signature_missing", "The form carries no signed policy.");
      if (!signatureMatches(sign("upload", policy), signature))
        return fail(403, "signature_invalid", "The upload policy's signature does not match.");
      let doc: PolicyDoc;
      try {
        doc = JSON.parse(Buffer.from(policy, "base64url").toString("utf8")) as PolicyDoc;
      } catch {
        return fail(403, "signature_invalid", "The upload policy cannot be read.");
      }
      if (doc.v !== 1 || !isBucket(doc.b) || unsafeKeyReason(doc.k))
        return fail(403, "signature_invalid", "The upload policy is not one this server signs.");
      if (now() > doc.exp * 1000)
        return fail(403, "signature_expired", "The upload policy has expired: request a new one.");
      if (key !== doc.k)
        return fail(403, "policy_mismatch", "The form's key is not the one the policy allows.");
      if (existsSync(usedMarker(doc.b, doc.k)))
        return fail(
          403,
          "upload_form_used",
          "This upload form was already used: each form stores one file once. Request a new upload.",
        );
      if (!contentType)
        return fail(400, "content_type_missing", "The form must declare the file's Content-Type.");
      if (!contentType.toLowerCase().startsWith(doc.ctp))
        return fail(
          415,
          "unsupported_media_type",
          `Only ${doc.ctp}* files can be uploaded here, not ${contentType}.`,
        );
      if (contentType.toLowerCase() !== doc.ct)
        return fail(
          403,
          "policy_mismatch",
          `The form's Content-Type ${contentType} is not the one the policy allows (${doc.ct}).`,
        );
      return { ok: true, bucket: doc.b, key: doc.k, contentType: doc.ct, maxBytes: doc.max };
    },

    verifyDownload(bucket, key, query) {
      const expires = Number(query["expires"]);
      const contentType = query["ct"] ?? "";
      const filename = query["fn"] ?? "";
      const bad = {
        ok: false,
        status: 403,
        code: "signature_invalid",
        detail: "The link's signature does not match.",
      } as const;
      if (!isBucket(bucket) || unsafeKeyReason(key) || !Number.isSafeInteger(expires)) return bad;
      const expected = sign(
        "download",
        downloadPayload(bucket, key, expires, contentType, filename),
      );
      if (!signatureMatches(expected, query["sig"])) return bad;
      if (now() > expires * 1000)
        return {
          ok: false,
          status: 403,
          code: "signature_expired",
          detail: "The link has expired: ask for a new one.",
        };
      return {
        ok: true,
        bucket,
        key,
        expires,
        ...(contentType ? { contentType } : {}),
        ...(filename ? { filename } : {}),
      };
    },
  };

  async function sweepTemp(olderThanMs = TEMP_MAX_AGE_MS): Promise<number> {
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      if (!name.endsWith(".part")) continue;
      const path = join(tmpDir, name);
      try {
        // An upload in progress keeps writing, so its mtime stays fresh.
        if (now() - (await stat(path)).mtimeMs < olderThanMs) continue;
        await unlink(path);
        removed++;
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    return removed;
  }
  sweepTemp().then(
    (n) => n > 0 && options.log?.warn({ removed: n }, "removed stale partial uploads"),
    (err: unknown) => options.log?.warn({ err }, "could not sweep partial uploads"),
  );

  return {
    kind: "local",
    root,
    bucketNames: Object.fromEntries(BUCKETS.map((b) => [b, b])) as Record<Bucket, string>,
    routes: diskStorageRoutes(internals),
    sweepTemp,

    addObjectCreatedListener(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async presignUpload(bucket, key, policy: UploadPolicy): Promise<PresignedUpload> {
      objectPath(bucket, key);
      assertUploadPolicy(policy);
      const exp = Math.floor(now() / 1000) + policy.expiresInSeconds;
      const doc: PolicyDoc = {
        v: 1,
        b: bucket,
        k: key,
        ct: policy.contentType.toLowerCase(),
        ctp: policy.contentTypePrefix.toLowerCase(),
        max: policy.maxBytes,
        exp,
      };
      const encoded = Buffer.from(JSON.stringify(doc)).toString("base64url");
      return {
        method: "POST",
        url: `${base}/upload`,
        fields: {
          [UPLOAD_FIELDS.key]: key,
          [UPLOAD_FIELDS.contentType]: doc.ct,
          [UPLOAD_FIELDS.policy]: encoded,
          [UPLOAD_FIELDS.signature]: sign("upload", encoded),
        },
        fileField: "file",
        expiresAt: new Date(exp * 1000).toISOString(),
        maxBytes: policy.maxBytes,
      };
    },

    async presignDownload(bucket, key, { expiresInSeconds, contentType, filename }) {
      objectPath(bucket, key);
      const expires = Math.floor(now() / 1000) + Math.max(1, Math.floor(expiresInSeconds));
      const ct = contentType ?? "";
      const fn = filename ?? "";
      const query = new URLSearchParams({
        expires: String(expires),
        sig: sign("download", downloadPayload(bucket, key, expires, ct, fn)),
      });
      if (ct) query.set("ct", ct);
      if (fn) query.set("fn", fn);
      const path = key.split("/").map(encodeURIComponent).join("/");
      return `${base}/object/${bucket}/${path}?${query.toString()}`;
    },

    async put(bucket, key, body, contentType) {
      objectPath(bucket, key);
      const temp = await tempPath();
      try {
        await writeFile(temp, body, { flag: "wx", mode: 0o600 });
      } catch (error) {
        await unlink(temp).catch(ignoreMissing);
        throw error;
      }
      const etag = createHash("md5").update(body).digest("hex");
      await commit(bucket, key, temp, { contentType, etag, size: body.byteLength });
    },

    async get(bucket, key) {
      try {
        // A view of the bytes read, not a copy: a 6 MB copy on the API's thread is a pause.
        const bytes = await readFile(objectPath(bucket, key));
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        if (isMissing(error) || (error as NodeJS.ErrnoException).code === "EISDIR")
          throw new ObjectNotFoundError(bucket, key);
        throw error;
      }
    },

    head: infoOf,

    async *list(bucket, prefix = "") {
      if (!isBucket(bucket)) throw new Error(`unknown bucket ${String(bucket)}`);
      const bucketDir = join(root, bucket);
      // Walk only the folder the prefix names, then filter on the rest of it.
      const folder = prefix.slice(0, prefix.lastIndexOf("/") + 1);
      if (folder && unsafeKeyReason(folder.slice(0, -1))) return;
      const keys: string[] = [];
      await walk(join(bucketDir, ...folder.split("/").filter(Boolean)), folder, keys);
      const selected = keys
        .filter((k) => k.startsWith(prefix))
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const key of selected) {
        const info = await infoOf(bucket, key);
        if (info) yield info;
      }
    },

    async delete(bucket, key) {
      const path = objectPath(bucket, key);
      await unlink(path).catch(ignoreMissing);
      await unlink(path + META_SUFFIX).catch(ignoreMissing);
      // Prune folders left empty, up to (not including) the bucket folder.
      const bucketDir = join(root, bucket);
      for (let dir = dirname(path); dir.startsWith(bucketDir + sep); dir = dirname(dir)) {
        try {
          await rmdir(dir);
        } catch {
          break; // not empty (or gone): stop pruning
        }
      }
    },

    async ping() {
      await mkdir(root, { recursive: true });
      await access(root, constants.R_OK | constants.W_OK);
    },
  };
}

async function walk(dir: string, keyPrefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === "ENOTDIR") return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) await walk(join(dir, entry.name), `${keyPrefix}${entry.name}/`, out);
    else if (entry.isFile() && !entry.name.endsWith(META_SUFFIX)) out.push(keyPrefix + entry.name);
  }
}

function fail(status: 400 | 403 | 415, code: string, detail: string): UploadCheck {
  return { ok: false, status, code, detail };
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === "ENOENT";

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error;
}
