import { problem } from "@jonquils/api/problem";
import { contentDisposition } from "@jonquils/core/storage/content-disposition";
import busboy from "busboy";
import { Hono, type Context } from "hono";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open, unlink } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DiskStoreInternals } from "./disk-internals";
import { UploadTargetUsedError } from "./errors";

/** Room for the form's other fields and boundaries on top of the file's own size cap. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

class TooLarge extends Error {}
class EmptyFile extends Error {}

type Outcome =
  | { ok: true; key: string; etag: string; size: number }
  | { ok: false; status: number; code: string; detail: string };

/**
 * The local store's HTTP side, as S3 serves it to browsers:
 * - POST /upload: multipart/form-data with the presigned fields, then the file (last).
 *   403 for a missing, tampered or expired policy; 415 for a non-audio type; 413 as soon
 *   as the file passes the cap (nothing is kept); 400 for a missing or empty file;
 *   204 with ETag when stored (S3's default answer).
 * - GET|HEAD /object/<bucket>/<key>?expires=&sig=[&ct=&fn=]: the object, with Range (206,
 *   416), ETag and Accept-Ranges; 403 for a bad or expired link.
 */
export function diskStorageRoutes(store: DiskStoreInternals): Hono {
  const app = new Hono();

  app.post("/upload", async (c) => {
    const type = c.req.header("content-type") ?? "";
    if (!/^multipart\/form-data\s*;/i.test(type))
      return problem(
        c,
        415,
        "multipart_required",
        "Send the upload as multipart/form-data: the presigned fields, then the file.",
      );
    const body = c.req.raw.body;
    if (!body) return problem(c, 400, "file_missing", "The form carries no file.");
    const outcome = await receive(store, type, c.req.header("content-length"), body);
    if (!outcome.ok) return problem(c, outcome.status, outcome.code, outcome.detail);
    return c.body(null, 204, { ETag: `"${outcome.etag}"` });
  });

  app.on(["GET", "HEAD"], "/object/:bucket/:key{.+}", (c) => serveObject(c, store));

  app.notFound((c) =>
    problem(c, 404, "route_not_found", `No route for ${c.req.method} ${c.req.path}.`),
  );
  app.onError((error, c) => {
    store.log?.error({ err: error, path: c.req.path }, "local object store failed");
    return problem(c, 500, "internal_error", "The local object store failed; it has been logged.");
  });
  return app;
}

function receive(
  store: DiskStoreInternals,
  contentType: string,
  contentLength: string | undefined,
  body: ReadableStream<Uint8Array>,
): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { "content-type": contentType },
        defParamCharset: "utf8",
        limits: { files: 1, fields: 20, parts: 21, fieldSize: 16 * 1024, fieldNameSize: 100 },
      });
    } catch {
      resolve({
        ok: false,
        status: 400,
        code: "malformed_multipart",
        detail: "The multipart form has no boundary.",
      });
      return;
    }
    const input = Readable.fromWeb(body);
    const fields = new Map<string, string>();
    let settled = false;
    let sawFile = false;
    let fileStream: Readable | undefined;
    const settle = (outcome: Outcome, stopReading = false) => {
      if (settled) return;
      settled = true;
      if (stopReading) {
        input.unpipe(parser);
        input.destroy();
        // A file being written stops too (its temporary file is removed).
        fileStream?.destroy();
      }
      resolve(outcome);
    };
    const refuse = (status: number, code: string, detail: string) =>
      settle({ ok: false, status, code, detail }, true);

    parser.on("field", (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated)
        return refuse(400, "malformed_multipart", `The form field ${name} is too long.`);
      fields.set(name.toLowerCase(), value);
    });
    parser.on("fieldsLimit", () => refuse(400, "malformed_multipart", "Too many form fields."));
    parser.on("partsLimit", () => refuse(400, "malformed_multipart", "Too many form parts."));
    parser.on("filesLimit", () => refuse(400, "malformed_multipart", "Send exactly one file."));
    parser.on("file", (name, file, _info) => {
      if (name !== "file") {
        file.resume();
        return refuse(
          400,
          "file_missing",
          `The file goes in the form field "file", not "${name}".`,
        );
      }
      sawFile = true;
      fileStream = file;
      // Busboy destroys the part with an error when the form breaks off; writeTemp's pipeline
      // reports that, but only once attached (after an await): never leave it unhandled.
      file.on("error", () => undefined);
      const check = store.verifyUpload(fields);
      if (!check.ok) {
        file.resume();
        return refuse(check.status, check.code, check.detail);
      }
      const tooLarge = () =>
        refuse(413, "too_large", `Files are limited to ${check.maxBytes} bytes here.`);
      if (Number(contentLength) > check.maxBytes + FORM_OVERHEAD_BYTES) {
        file.resume();
        return tooLarge();
      }
      void writeTemp(store, check.maxBytes, file).then(
        (written) => {
          if (settled) {
            void unlink(written.temp).catch(() => undefined);
            return;
          }
          // The file is complete: like S3, anything after it in the form is ignored.
          settled = true;
          resolve(
            store
              .commit(
                check.bucket,
                check.key,
                written.temp,
                { contentType: check.contentType, etag: written.etag, size: written.size },
                { once: true },
              )
              .then(
                (): Outcome => ({
                  ok: true,
                  key: check.key,
                  etag: written.etag,
                  size: written.size,
                }),
                (error: unknown): Outcome => {
                  if (error instanceof UploadTargetUsedError)
                    return {
                      ok: false,
                      status: 403,
                      code: "upload_form_used",
                      detail:
                        "This upload form was already used: each form stores one file once. Request a new upload.",
                    };
                  store.log?.error(
                    { err: error, key: check.key },
                    "local object store: commit failed",
                  );
                  return {
                    ok: false,
                    status: 500,
                    code: "internal_error",
                    detail: "The local object store could not save the file.",
                  };
                },
              ),
          );
        },
        (error: unknown) => {
          if (error instanceof TooLarge) return tooLarge();
          if (error instanceof EmptyFile) return refuse(400, "file_empty", "The file is empty.");
          if (settled) return;
          // A body cut short surfaces here as a stream error: the client's fault, not ours.
          const message = error instanceof Error ? error.message : String(error);
          if (/unexpected end|aborted|premature/i.test(message))
            return refuse(400, "malformed_multipart", "The upload ended before the file did.");
          store.log?.error({ err: error }, "local object store: writing an upload failed");
          refuse(500, "internal_error", "The local object store could not save the file.");
        },
      );
    });
    parser.on("error", () =>
      refuse(400, "malformed_multipart", "The request body is not a well-formed multipart form."),
    );
    parser.on("close", () => {
      if (!sawFile)
        settle({
          ok: false,
          status: 400,
          code: "file_missing",
          detail: "The form carries no file.",
        });
    });
    input.on("error", () =>
      refuse(400, "malformed_multipart", "The upload ended before the form did."),
    );
    input.pipe(parser);
  });
}

/** Streams the file part to a temporary file, counting and hashing; stops past the cap. */
async function writeTemp(
  store: DiskStoreInternals,
  maxBytes: number,
  file: Readable,
): Promise<{ temp: string; etag: string; size: number }> {
  const temp = await store.tempPath();
  const hash = createHash("md5");
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new TooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(file, counter, createWriteStream(temp, { flags: "wx", mode: 0o600 }));
    if (size === 0) throw new EmptyFile();
  } catch (error) {
    file.resume();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return { temp, etag: hash.digest("hex"), size };
}

async function serveObject(c: Context, store: DiskStoreInternals): Promise<Response> {
  const check = store.verifyDownload(
    c.req.param("bucket") ?? "",
    c.req.param("key") ?? "",
    c.req.query(),
  );
  if (!check.ok) return problem(c, check.status, check.code, check.detail);
  const path = store.objectPath(check.bucket, check.key);
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR")
      return problem(c, 404, "object_not_found", "No such object (it may have been deleted).");
    throw error;
  }
  let handedOff = false;
  try {
    const st = await handle.stat();
    if (!st.isFile())
      return problem(c, 404, "object_not_found", "No such object (it may have been deleted).");
    const meta = await store.readMeta(check.bucket, check.key);
    const size = st.size;
    const remaining = Math.max(0, check.expires - Math.floor(store.now() / 1000));
    const headers: Record<string, string> = {
      "Content-Type": check.contentType ?? meta?.contentType ?? "application/octet-stream",
      "Accept-Ranges": "bytes",
      "Last-Modified": st.mtime.toUTCString(),
      "Cache-Control": `private, max-age=${Math.min(remaining, 3600)}`,
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
    };
    if (meta?.etag) headers["ETag"] = `"${meta.etag}"`;
    if (check.filename) headers["Content-Disposition"] = contentDisposition(check.filename);

    const range = parseRange(c.req.header("range"), size);
    if (range === "unsatisfiable") {
      c.header("Content-Range", `bytes */${size}`);
      c.header("Accept-Ranges", "bytes");
      return problem(c, 416, "range_not_satisfiable", `The object has ${size} bytes.`);
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    const status = range ? 206 : 200;
    headers["Content-Length"] = String(size === 0 ? 0 : end - start + 1);
    if (range) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
    if (c.req.method === "HEAD" || size === 0) return c.body(null, status, headers);
    const stream = handle.createReadStream({ start, end });
    handedOff = true;
    return c.body(Readable.toWeb(stream) as unknown as ReadableStream, status, headers);
  } finally {
    if (!handedOff) await handle.close();
  }
}

/**
 * One `bytes=` range (RFC 9110 §14): null when absent, malformed or multi-range (the whole
 * object is served), "unsatisfiable" when it starts past the end.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? Infinity : Number(m[2]);
  if (last < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(last, size - 1) };
}
