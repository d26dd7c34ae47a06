import { createHash, randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { recordAudit } from "../audit/audit";
import type { Actor, Ctx } from "../context";
import { safeFilename, type PresignedUpload } from "../storage/object-store";
import { toPage, type Page, type PageQuery } from "../util/page";
import { cleanText } from "../util/text";
import { verifyAudio } from "./audio-verify";
import { UploadErrors } from "./errors";
import { insertUpload, markStoreFailed } from "./lifecycle";
import { fetchAudio, type SafeFetchOptions } from "./safe-fetch";
import { trackUploads } from "./upload.sql";

export { UploadErrors } from "./errors";

/** Largest audio file accepted, by direct upload or from a URL. */
export const UPLOAD_MAX_BYTES = 200 * 1024 * 1024;
/** How long a presigned upload stays usable. */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;
/** Audio files only; the exact type is pinned by the upload policy. */
export const UPLOAD_CONTENT_TYPE_PREFIX = "audio/";
/** Uploaded audio lives in this bucket, under `u/<userId>/<uploadId>/<file name>`. */
export const UPLOAD_BUCKET = "tracks" as const;

export type UploadStatus = (typeof trackUploads.$inferSelect)["status"];
export type UploadSource = "direct" | "url";

export interface UploadView {
  id: string;
  status: UploadStatus;
  filename: string;
  contentType: string | null;
  sizeBytes: number | null;
  /** Object key in the tracks bucket. */
  key: string;
  source: UploadSource;
  /** The catalog track, once the pipeline is done. */
  trackId: string | null;
  /** The track whose audio this upload replaces (`upload/replace.ts`), else null. */
  replacesTrackId: string | null;
  /** Why the upload failed, in words (status "failed"). */
  failureReason: string | null;
  /** Every non-fatal finding, in words (silent file, title from the file name, artist filed differently …). */
  warnings: string[];
  /** The real format found in the bytes, once processed (may differ from the file name). */
  detectedFormat: string | null;
  /** When the signed form stops working (direct uploads). */
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

type UploadRow = typeof trackUploads.$inferSelect;

export const toUploadView = (r: UploadRow): UploadView => ({
  id: r.id,
  status: r.status,
  filename: r.originalFilename,
  contentType: r.contentType,
  sizeBytes: r.sizeBytes,
  key: r.s3Path,
  source: r.source,
  trackId: r.trackId,
  replacesTrackId: r.replacesTrackId,
  failureReason: r.failureReason,
  warnings: r.warnings.map(displayText),
  detectedFormat: r.detectedFormat,
  expiresAt: r.expiresAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** Every upload of a user lives under this key prefix. */
export const uploadPrefix = (userId: string) => `u/${userId}/`;

export const uploadKey = (userId: string, uploadId: string, filename: string) =>
  `${uploadPrefix(userId)}${uploadId}/${keyFilename(filename)}`;

/**
 * The file name as it appears in an object key: ASCII letters, digits, `.`, `_` and `-` only.
 * S3 event notifications URL-encode anything else (a space as `+`), so a key with spaces or
 * accents would reach Extract spelled differently from the one registered; ASCII keys are the
 * same everywhere they travel. The name as uploaded is kept on the upload row for display.
 */
export function keyFilename(name: string): string {
  const safe = safeFilename(name);
  const dot = safe.lastIndexOf(".");
  const ext = dot > 0 ? toKeyAscii(safe.slice(dot + 1)).replace(/[._-]/g, "") : "";
  const stem = toKeyAscii(dot > 0 ? safe.slice(0, dot) : safe).replace(/^[._-]+|[._-]+$/g, "");
  // Nothing left of a name written only in other scripts: a plain stem keeps the extension.
  return `${stem || "audio"}${ext ? `.${ext}` : ""}`;
}

const toKeyAscii = (text: string) =>
  text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/_+/g, "_");

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const KEY_PATTERN = new RegExp(`^u/(${UUID})/(${UUID})/([^/]+)$`);

/** The parts of an upload key, or null for a key no upload produced. */
export function parseUploadKey(
  key: string,
): { userId: string; uploadId: string; filename: string } | null {
  const m = KEY_PATTERN.exec(key);
  return m ? { userId: m[1]!, uploadId: m[2]!, filename: m[3]! } : null;
}

export interface UploadRequest {
  filename: string;
  contentType: string;
  /** Declared size; checked against the cap early (the store enforces the cap itself). */
  size?: number | undefined;
}

function assertCanUpload(actor: Actor) {
  if (actor.role !== "artist" && actor.role !== "admin") throw UploadErrors.artistRequired();
}

export function checkContentType(contentType: string): string {
  const type = contentType.trim().toLowerCase();
  if (!type.startsWith(UPLOAD_CONTENT_TYPE_PREFIX) || !/^audio\/[a-z0-9.+-]+$/.test(type))
    throw UploadErrors.notAudio(`${contentType} is not an audio type`);
  return type;
}

/** Control, format (bidi overrides, zero-width) and other invisible characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** Text safe to show: no control or bidi characters, spaces collapsed. */
export const displayText = (text: string) => cleanText(text.replace(INVISIBLE, " "));

/** Only the base name of a client's file name is kept (never its folders), made safe to show. */
export function originalName(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? "";
  return [...displayText(base)].slice(0, 255).join("").trim() || "audio";
}

/**
 * The checks and the single-use form every upload request starts with (a new track or a
 * replacement): an artist or admin, an audio type, at most UPLOAD_MAX_BYTES, a fresh key.
 * Signed before the row is written; the form is handed out only once the row exists.
 */
export async function signUploadForm(ctx: Ctx, actor: Actor, input: UploadRequest) {
  assertCanUpload(actor);
  const contentType = checkContentType(input.contentType);
  if (input.size !== undefined && input.size > UPLOAD_MAX_BYTES)
    throw UploadErrors.tooLarge(UPLOAD_MAX_BYTES);
  const id = randomUUID();
  const filename = originalName(input.filename);
  const key = uploadKey(actor.userId, id, filename);
  const presigned = await ctx.objects.presignUpload(UPLOAD_BUCKET, key, {
    contentType,
    contentTypePrefix: UPLOAD_CONTENT_TYPE_PREFIX,
    maxBytes: UPLOAD_MAX_BYTES,
    expiresInSeconds: UPLOAD_URL_TTL_SECONDS,
  });
  return { id, filename, key, contentType, presigned };
}

/**
 * An artist asks to upload one file: a `pending` upload row and a presigned POST for the
 * key `u/<userId>/<uploadId>/<safe file name>` in the tracks bucket, audio only, at most
 * UPLOAD_MAX_BYTES, usable for 15 minutes. The store announces the object when it lands.
 */
export async function requestUpload(
  ctx: Ctx,
  actor: Actor,
  input: UploadRequest,
): Promise<{ upload: UploadView; presigned: PresignedUpload }> {
  const { id, filename, key, contentType, presigned } = await signUploadForm(ctx, actor, input);
  const row = await ctx.db.transaction(async (tx) => {
    const inserted = await insertUpload(tx, {
      id,
      userId: actor.userId,
      originalFilename: filename,
      s3Path: key,
      contentType,
      sizeBytes: input.size ?? null,
      source: "direct",
      expiresAt: new Date(presigned.expiresAt),
    });
    await recordAudit(tx, ctx.meta, actor, {
      action: "upload.request",
      entityType: "upload",
      entityId: id,
      details: { filename, contentType, size: input.size ?? null },
    });
    return inserted;
  });
  return { upload: toUploadView(row), presigned };
}

/** One upload: its owner or an admin; anyone else gets 404 (an upload's existence is private). */
export async function getUpload(ctx: Ctx, actor: Actor, id: string): Promise<UploadView> {
  const [row] = await ctx.db.select().from(trackUploads).where(eq(trackUploads.id, id)).limit(1);
  if (!row || (row.userId !== actor.userId && actor.role !== "admin"))
    throw UploadErrors.notFound(id);
  return toUploadView(row);
}

export interface ListUploadsQuery extends PageQuery {
  status?: UploadStatus | undefined;
}

/** The actor's own uploads, newest first. */
export async function listMyUploads(
  ctx: Ctx,
  actor: Actor,
  query: ListUploadsQuery,
): Promise<Page<UploadView>> {
  const rows = await ctx.db
    .select()
    .from(trackUploads)
    .where(
      and(
        eq(trackUploads.userId, actor.userId),
        query.status ? eq(trackUploads.status, query.status) : undefined,
      ),
    )
    .orderBy(desc(trackUploads.createdAt), desc(trackUploads.id))
    .limit(query.limit + 1)
    .offset(query.offset);
  return toPage(rows.map(toUploadView), query);
}

/**
 * The server downloads an audio file from a URL (SSRF-safe, capped, audio only), stores it
 * under the artist's prefix and records a `pending` upload; the object-created event then
 * starts the pipeline as for a direct upload. `fetchOptions` is for tests and special
 * wirings (resolver, allowed networks); production uses the defaults.
 */
export async function importFromUrl(
  ctx: Ctx,
  actor: Actor,
  url: string,
  fetchOptions: Partial<SafeFetchOptions> = {},
): Promise<UploadView> {
  assertCanUpload(actor);
  const release = claimImportSlot(actor.userId);
  try {
    return await downloadAndStore(ctx, actor, url, fetchOptions);
  } finally {
    release();
  }
}

async function downloadAndStore(
  ctx: Ctx,
  actor: Actor,
  url: string,
  fetchOptions: Partial<SafeFetchOptions>,
): Promise<UploadView> {
  const file = await fetchAudio(url, { maxBytes: UPLOAD_MAX_BYTES, ...fetchOptions });
  // The whole file passes the same gate as a form upload before anything is stored.
  const verdict = verifyAudio(file.bytes, { filename: file.filename ?? "" });
  if (!verdict.ok) throw UploadErrors.notAudio(verdict.reason);
  const contentType = verdict.contentType;
  const id = randomUUID();
  const filename = originalName(withExtension(file.filename ?? "", verdict.extension));
  const key = uploadKey(actor.userId, id, filename);
  // The row first: the pipeline, woken by the object-created event, must find it.
  const row = await ctx.db.transaction(async (tx) => {
    const inserted = await insertUpload(tx, {
      id,
      userId: actor.userId,
      originalFilename: filename,
      s3Path: key,
      contentType,
      sizeBytes: file.bytes.byteLength,
      source: "url",
      sourceUrl: url.slice(0, 2048),
      objectEtag: createHash("md5").update(file.bytes).digest("hex"),
      detectedFormat: verdict.format,
    });
    await recordAudit(tx, ctx.meta, actor, {
      action: "upload.import",
      entityType: "upload",
      entityId: id,
      details: {
        url: url.slice(0, 2048),
        finalUrl: file.url.slice(0, 2048),
        size: file.bytes.byteLength,
      },
    });
    return inserted;
  });
  try {
    await ctx.objects.put(UPLOAD_BUCKET, key, file.bytes, contentType);
  } catch (error) {
    ctx.log.error({ err: error, uploadId: id, key }, "storing an imported file failed");
    await markStoreFailed(ctx.db, id, "The downloaded file could not be stored.").catch(
      (err: unknown) => ctx.log.error({ err, uploadId: id }, "marking the upload failed failed"),
    );
    throw UploadErrors.storageFailed();
  }
  return toUploadView(row);
}

/** Downloads held in memory at once, per user and per process (each may be UPLOAD_MAX_BYTES). */
export const IMPORTS_PER_USER = 2;
export const IMPORTS_PER_PROCESS = 8;
const importsByUser = new Map<string, number>();
let importsRunning = 0;

function claimImportSlot(userId: string): () => void {
  const mine = importsByUser.get(userId) ?? 0;
  if (mine >= IMPORTS_PER_USER || importsRunning >= IMPORTS_PER_PROCESS)
    throw UploadErrors.tooManyImports();
  importsByUser.set(userId, mine + 1);
  importsRunning++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    importsRunning--;
    const left = (importsByUser.get(userId) ?? 1) - 1;
    if (left > 0) importsByUser.set(userId, left);
    else importsByUser.delete(userId);
  };
}

function withExtension(name: string, extension: string): string {
  const base = name.trim() || "audio";
  return /\.[A-Za-z0-9]{2,5}$/.test(base) ? base : `${base}.${extension}`;
}
