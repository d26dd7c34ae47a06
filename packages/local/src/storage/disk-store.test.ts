import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import type { ObjectCreatedEvent, PresignedUpload } from "@jonquils/core/storage/object-store";
import { uploadKey } from "@jonquils/core/upload/index";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseRange } from "./disk-routes";
import { createDiskObjectStore, deriveStorageSecret, type DiskObjectStore } from "./disk-store";

const USER = "7d3c2e1f-0a4b-4c5d-8e9f-0123456789ab";
const UPLOAD = "11111111-2222-4333-8444-555555555555";
const MP3 = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0, ...Array(990).fill(7)]);
const codeOf = async (res: Response) => ((await res.json()) as { code: string }).code;
const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

let root: string;
let store: DiskObjectStore;
let events: ObjectCreatedEvent[];
let clock = Date.parse("2026-03-01T12:00:00Z");

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "jonquils-disk-"));
  store = createDiskObjectStore({
    root,
    publicUrl: "http://localhost:8000/",
    secret: deriveStorageSecret("test-secret-that-is-at-least-32-characters-long"),
    onObjectCreated: (e) => {
      events.push(e);
    },
    now: () => clock,
  });
});
afterAll(() => rm(root, { recursive: true, force: true }));
beforeEach(() => {
  events = [];
  clock = Date.parse("2026-03-01T12:00:00Z");
});

/** Sends a URL the store signed (http://localhost:8000/storage/…) to its routes. */
function send(url: string, init?: RequestInit): Promise<Response> {
  const u = new URL(url);
  expect(u.origin).toBe("http://localhost:8000");
  expect(u.pathname.startsWith("/storage/")).toBe(true);
  return Promise.resolve(
    store.routes.request(u.pathname.slice("/storage".length) + u.search, init),
  );
}

function form(
  presigned: PresignedUpload,
  file: Uint8Array | null,
  change: Record<string, string | null> = {},
): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries({ ...presigned.fields, ...change }))
    if (v !== null) data.append(k, v);
  if (file) data.append("file", new Blob([file], { type: "audio/mpeg" }), "song.mp3");
  return data;
}

const presign = (key: string, maxBytes = 4096, contentType = "audio/mpeg") =>
  store.presignUpload("tracks", key, {
    contentType,
    contentTypePrefix: "audio/",
    maxBytes,
    expiresInSeconds: 900,
  });

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(relative(root, join(e.parentPath, e.name)));
  return out.sort();
}

describe("disk store: signed direct uploads", () => {
  it("accepts a signed upload, stores it with its sidecar and announces it once", async () => {
    const key = uploadKey(USER, UPLOAD, "song.mp3");
    const presigned = await presign(key);
    expect(presigned).toMatchObject({
      method: "POST",
      url: "http://localhost:8000/storage/upload",
      fileField: "file",
      maxBytes: 4096,
      expiresAt: "2026-03-01T12:15:00.000Z",
    });
    expect(presigned.fields).toMatchObject({ key, "Content-Type": "audio/mpeg" });

    const res = await send(presigned.url, { method: "POST", body: form(presigned, MP3) });
    expect(res.status).toBe(204);
    expect(res.headers.get("etag")).toBe(`"${md5(MP3)}"`);
    const stored = await readFile(join(root, "tracks", key));
    expect(new Uint8Array(stored)).toEqual(MP3);
    const meta = JSON.parse(await readFile(join(root, "tracks", `${key}.meta.json`), "utf8"));
    expect(meta).toMatchObject({ contentType: "audio/mpeg", etag: md5(MP3), size: MP3.length });
    expect(await store.head("tracks", key)).toMatchObject({
      key,
      size: MP3.length,
      etag: md5(MP3),
      contentType: "audio/mpeg",
    });
    expect(events).toEqual([{ bucket: "tracks", key, size: MP3.length, etag: md5(MP3) }]);
    expect(await readdir(join(root, ".tmp"))).toEqual([]);
  });

  it("announces each object created by put exactly once", async () => {
    await store.put("covers", "a/cover.jpg", new Uint8Array([1, 2, 3]), "image/jpeg");
    await store.put("covers", "a/cover.jpg", new Uint8Array([4, 5]), "image/jpeg");
    expect(events.map((e) => [e.bucket, e.key, e.size])).toEqual([
      ["covers", "a/cover.jpg", 3],
      ["covers", "a/cover.jpg", 2],
    ]);
  });

  it("refuses a tampered key, policy or signature with 403 and stores nothing", async () => {
    const key = uploadKey(USER, UPLOAD, "tamper.mp3");
    const presigned = await presign(key);
    const policy = JSON.parse(Buffer.from(presigned.fields["policy"]!, "base64url").toString());
    const biggerPolicy = Buffer.from(JSON.stringify({ ...policy, max: 10 ** 9 })).toString(
      "base64url",
    );
    const otherKey = uploadKey("00000000-0000-4000-8000-000000000000", UPLOAD, "x.mp3");
    const sig = presigned.fields["x-jq-signature"]!;
    const cases: [Record<string, string | null>, string][] = [
      [{ key: otherKey }, "policy_mismatch"],
      [{ key: `${key}/../../../../etc/passwd` }, "policy_mismatch"],
      [{ policy: biggerPolicy }, "signature_invalid"],
      [
        { "x-jq-signature": sig.slice(0, -2) + (sig.endsWith("AA") ? "BB" : "AA") },
        "signature_invalid",
      ],
      [{ "x-jq-signature": null }, "signature_missing"],
      [{ policy: null }, "signature_missing"],
    ];
    for (const [change, code] of cases) {
      const res = await send(presigned.url, { method: "POST", body: form(presigned, MP3, change) });
      expect(res.status, JSON.stringify(change)).toBe(403);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await codeOf(res)).toBe(code);
    }
    // A policy signed for another key does not open this one either.
    const other = await presign(otherKey);
    const res = await send(presigned.url, {
      method: "POST",
      body: form(presigned, MP3, { policy: other.fields["policy"]! }),
    });
    expect(res.status).toBe(403);
    expect(await store.head("tracks", key)).toBeNull();
    expect(events).toEqual([]);
  });

  it("refuses an expired policy with 403", async () => {
    const key = uploadKey(USER, UPLOAD, "late.mp3");
    const presigned = await presign(key);
    clock += 901_000;
    const res = await send(presigned.url, { method: "POST", body: form(presigned, MP3) });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe("signature_expired");
    expect(await store.head("tracks", key)).toBeNull();
  });

  it("stops an over-size upload with 413 and leaves no file behind", async () => {
    const key = uploadKey(USER, UPLOAD, "big.mp3");
    const presigned = await presign(key, 1000);
    const big = new Uint8Array(256 * 1024).fill(1);
    const res = await send(presigned.url, { method: "POST", body: form(presigned, big) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: 413, code: "too_large" });
    expect(await store.head("tracks", key)).toBeNull();
    expect((await filesUnder(root)).filter((f) => f.includes("big"))).toEqual([]);
    expect(await readdir(join(root, ".tmp"))).toEqual([]);
    expect(events).toEqual([]);
    // Exactly at the cap is fine.
    const atCap = await send(presigned.url, {
      method: "POST",
      body: form(presigned, new Uint8Array(1000).fill(2)),
    });
    expect(atCap.status).toBe(204);
  });

  it("refuses a non-audio content type with 415 and another audio type with 403", async () => {
    const key = uploadKey(USER, UPLOAD, "type.mp3");
    const presigned = await presign(key);
    const html = await send(presigned.url, {
      method: "POST",
      body: form(presigned, MP3, { "Content-Type": "text/html" }),
    });
    expect(html.status).toBe(415);
    expect(await codeOf(html)).toBe("unsupported_media_type");
    const wav = await send(presigned.url, {
      method: "POST",
      body: form(presigned, MP3, { "Content-Type": "audio/wav" }),
    });
    expect(wav.status).toBe(403);
    expect(await codeOf(wav)).toBe("policy_mismatch");
    await expect(presign(key, 100, "text/html")).rejects.toThrow(/prefix/);
  });

  it("answers 400 for a missing or empty file and 415 for a body that is not multipart", async () => {
    const key = uploadKey(USER, UPLOAD, "missing.mp3");
    const presigned = await presign(key);
    const missing = await send(presigned.url, { method: "POST", body: form(presigned, null) });
    expect(missing.status).toBe(400);
    expect(await codeOf(missing)).toBe("file_missing");
    const empty = await send(presigned.url, {
      method: "POST",
      body: form(presigned, new Uint8Array()),
    });
    expect(empty.status).toBe(400);
    expect(await codeOf(empty)).toBe("file_empty");
    const json = await send(presigned.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(presigned.fields),
    });
    expect(json.status).toBe(415);
    expect(await codeOf(json)).toBe("multipart_required");
    const garbage = await send(presigned.url, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=xyz" },
      body: "this is not a multipart body",
    });
    expect(garbage.status).toBe(400);
    expect(await store.head("tracks", key)).toBeNull();
  });

  it("answers 400 for a body cut short in the middle of the file, keeping nothing", async () => {
    const key = uploadKey(USER, UPLOAD, "cut.mp3");
    const presigned = await presign(key);
    const boundary = "----cut";
    let body = "";
    for (const [k, v] of Object.entries(presigned.fields))
      body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
    body += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.mp3"\r\n`;
    body += `Content-Type: audio/mpeg\r\n\r\nID3 and then the connection drops`;
    const res = await send(presigned.url, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe("malformed_multipart");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.head("tracks", key)).toBeNull();
    expect(await readdir(join(root, ".tmp"))).toEqual([]);
    expect(events).toEqual([]);
  });

  it("keeps a file name with ../ and Unicode inside its folder", async () => {
    const key = uploadKey(USER, UPLOAD, "../../../étude для 音楽\u0000.mp3");
    expect(key).toBe(`u/${USER}/${UPLOAD}/etude.mp3`);
    const presigned = await presign(key);
    const res = await send(presigned.url, { method: "POST", body: form(presigned, MP3) });
    expect(res.status).toBe(204);
    const path = join(root, "tracks", "u", USER, UPLOAD, "etude.mp3");
    expect(new Uint8Array(await readFile(path))).toEqual(MP3);
    const listed = [];
    for await (const o of store.list("tracks", `u/${USER}/${UPLOAD}/etude`)) listed.push(o.key);
    expect(listed).toEqual([key]);
    // Keys the store refuses outright, whoever builds them.
    for (const bad of ["../x.mp3", "/etc/passwd", "a/../../b", "a//b", "a\\b", "x.meta.json", ""]) {
      await expect(store.put("tracks", bad, MP3, "audio/mpeg"), bad).rejects.toThrow(/unsafe/);
      await expect(presign(bad), bad).rejects.toThrow(/unsafe/);
    }
    const everything = await filesUnder(root);
    expect(
      everything.every(
        (f) =>
          f.startsWith(`tracks${sep}`) ||
          f.startsWith(`covers${sep}`) ||
          // A written form's single-use marker (a hash of its key).
          /^\.used[\\/]tracks[\\/][0-9a-f]{64}$/.test(f),
      ),
    ).toBe(true);
  });
});

describe("disk store: signed downloads with Range", () => {
  const key = "u/dl/track.mp3";
  const body = new Uint8Array(Array.from({ length: 100 }, (_, i) => i));
  beforeAll(async () => {
    await store.put("tracks", key, body, "audio/mpeg");
  });

  it("serves the whole object with its type, length, ETag and Accept-Ranges", async () => {
    const url = await store.presignDownload("tracks", key, { expiresInSeconds: 60 });
    const res = await send(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("audio/mpeg");
    expect(res.headers.get("content-length")).toBe("100");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("etag")).toBe(`"${md5(body)}"`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(body);
    const head = await send(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("100");
  });

  it("answers ranges with 206 and Content-Range, and 416 past the end", async () => {
    const url = await store.presignDownload("tracks", key, { expiresInSeconds: 60 });
    const cases: [string, number, number][] = [
      ["bytes=0-9", 0, 9],
      ["bytes=90-", 90, 99],
      ["bytes=-5", 95, 99],
      ["bytes=50-1000", 50, 99],
    ];
    for (const [range, start, end] of cases) {
      const res = await send(url, { headers: { range } });
      expect(res.status, range).toBe(206);
      expect(res.headers.get("content-range")).toBe(`bytes ${start}-${end}/100`);
      expect(res.headers.get("content-length")).toBe(String(end - start + 1));
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(body.slice(start, end + 1));
    }
    const past = await send(url, { headers: { range: "bytes=100-" } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe("bytes */100");
    expect(await codeOf(past)).toBe("range_not_satisfiable");
    // Multiple or malformed ranges are ignored: the whole object.
    const multi = await send(url, { headers: { range: "bytes=0-1,5-6" } });
    expect(multi.status).toBe(200);
    expect(parseRange("bytes=5-2", 100)).toBeNull();
    expect(parseRange("bytes=-0", 100)).toBe("unsatisfiable");
  });

  it("refuses a tampered or expired link with 403", async () => {
    const url = new URL(
      await store.presignDownload("tracks", key, {
        expiresInSeconds: 60,
        contentType: "audio/mpeg",
        filename: "Track №1.mp3",
      }),
    );
    const ok = await send(url.toString());
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-disposition")).toContain(
      "filename*=UTF-8''Track%20%E2%84%961.mp3",
    );
    const tamper = (mutate: (u: URL) => void) => {
      const copy = new URL(url);
      mutate(copy);
      return send(copy.toString());
    };
    const tampered = [
      await tamper((u) =>
        u.searchParams.set("expires", String(Number(u.searchParams.get("expires")) + 3600)),
      ),
      await tamper((u) => (u.pathname = u.pathname.replace("track.mp3", "other.mp3"))),
      await tamper((u) => (u.pathname = u.pathname.replace("/tracks/", "/covers/"))),
      await tamper((u) => u.searchParams.set("ct", "text/html")),
      await tamper((u) => u.searchParams.delete("fn")),
      await tamper((u) => u.searchParams.set("sig", "x" + u.searchParams.get("sig")!.slice(1))),
    ];
    for (const res of tampered) {
      expect(res.status).toBe(403);
      expect(await codeOf(res)).toBe("signature_invalid");
    }
    clock += 61_000;
    const expired = await send(url.toString());
    expect(expired.status).toBe(403);
    expect(await codeOf(expired)).toBe("signature_expired");
  });

  it("serves Unicode keys and answers 404 for a deleted object", async () => {
    const k = "u/dl/naïve 音.mp3";
    await store.put("tracks", k, body, "audio/mpeg");
    const url = await store.presignDownload("tracks", k, { expiresInSeconds: 60 });
    const res = await send(url, { headers: { range: "bytes=0-0" } });
    expect(res.status).toBe(206);
    await store.delete("tracks", k);
    const gone = await send(url);
    expect(gone.status).toBe(404);
    expect(await codeOf(gone)).toBe("object_not_found");
  });
});

describe("disk store over a real HTTP server", () => {
  it("answers 413 as soon as the cap is passed, without reading the rest of the body", async () => {
    const { serve } = await import("@hono/node-server");
    const http = await import("node:http");
    const server = serve({ fetch: store.routes.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    const { port } = server.address() as { port: number };
    try {
      const presigned = await presign("u/http/big.mp3", 1024 * 1024);
      const boundary = "----jonquils-test";
      let head = "";
      for (const [k, v] of Object.entries(presigned.fields))
        head += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
      head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n`;
      const total = 256 * 1024 * 1024;
      let sent = 0;
      let answered = false;
      const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: "/upload",
            headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
          },
          (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => {
              answered = true;
              resolve({ status: res.statusCode ?? 0, body });
              req.destroy();
            });
          },
        );
        // After the answer the server may drop the connection under our writes: expected.
        req.on("error", (error) => (answered ? undefined : reject(error)));
        req.write(head);
        const chunk = Buffer.alloc(64 * 1024, 1);
        const pump = () => {
          while (sent < total) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once("drain", pump);
          }
          req.end(`\r\n--${boundary}--\r\n`);
        };
        pump();
      });
      expect(result.status).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({ code: "too_large" });
      expect(sent).toBeLessThan(total / 4);
      expect(await store.head("tracks", "u/http/big.mp3")).toBeNull();
    } finally {
      server.close();
    }
  });
});

describe("disk store: partial files left by a crash", () => {
  it("are swept when the store opens, while fresh ones (live uploads) stay", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jonquils-sweep-"));
    try {
      const tmp = join(dir, ".tmp");
      await mkdir(tmp, { recursive: true });
      await writeFile(join(tmp, "crashed.part"), "half a file");
      await writeFile(join(tmp, "live.part"), "uploading");
      const sevenHoursAgo = new Date(Date.now() - 7 * 3600_000);
      await utimes(join(tmp, "crashed.part"), sevenHoursAgo, sevenHoursAgo);
      const opened = createDiskObjectStore({
        root: dir,
        publicUrl: "http://localhost:8000/",
        secret: deriveStorageSecret("test-secret-that-is-at-least-32-characters-long"),
      });
      await expect.poll(() => readdir(tmp)).toEqual(["live.part"]);
      expect(await opened.sweepTemp()).toBe(0);
      expect(await opened.sweepTemp(0)).toBe(1);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
