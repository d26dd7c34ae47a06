import { startS3rver, type S3rverHandle } from "@jonquils/local/testing/s3rver";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createDiskObjectStore,
  deriveStorageSecret,
  type DiskObjectStore,
} from "@jonquils/local/storage/disk-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUCKETS, ObjectNotFoundError, type Bucket, type ObjectStore } from "./object-store";
import { createS3ObjectStore } from "./s3";
import { createLazyS3ObjectStore } from "./s3-config";

/**
 * One suite, every adapter: the embedded disk store always, and the S3 adapter against
 * s3rver (a local S3 imitation) when it starts. s3rver runs in a child process with
 * --openssl-legacy-provider, which its ListObjectsV2 continuation tokens need on Node ≥ 17.
 * s3rver checks no signatures or policies: the refusals are tested on the disk store.
 */

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");
const bytes = (text: string) => new TextEncoder().encode(text);

const S3_BUCKETS: Record<Bucket, string> = {
  tracks: "jq-tracks",
  covers: "jq-covers",
  playlists: "jq-playlists",
  temp: "jq-temp",
};

let s3rver: S3rverHandle | null = null;
let s3rverError = "";
try {
  s3rver = await startS3rver(Object.values(S3_BUCKETS));
} catch (error) {
  s3rverError = error instanceof Error ? error.message : String(error);
  console.info(
    `\n[jonquils] S3 adapter contract cases skipped: s3rver did not start (${s3rverError})\n`,
  );
}

const diskRoot = await mkdtemp(join(tmpdir(), "jonquils-contract-disk-"));

afterAll(async () => {
  if (s3rver) {
    s3rver.child.kill();
    await rm(s3rver.dir, { recursive: true, force: true });
  }
  await rm(diskRoot, { recursive: true, force: true });
});

interface Adapter {
  name: string;
  store: ObjectStore;
  /** Sends a request to a URL the store signed. */
  send(url: string, init?: RequestInit): Promise<Response>;
}

function diskAdapter(): Adapter {
  const store: DiskObjectStore = createDiskObjectStore({
    root: diskRoot,
    publicUrl: "http://localhost:8000",
    secret: deriveStorageSecret("contract-secret-that-is-at-least-32-chars"),
  });
  return {
    name: "disk",
    store,
    send: async (url, init) => {
      const u = new URL(url);
      return store.routes.request(u.pathname.replace(/^\/storage/, "") + u.search, init);
    },
  };
}

function s3Adapter(handle: S3rverHandle): Adapter {
  return {
    // The facade production builds from config: it loads the SDK adapter on first use.
    name: "s3 (s3rver)",
    store: createLazyS3ObjectStore({
      buckets: S3_BUCKETS,
      listPageSize: 2,
      client: {
        region: "us-east-1",
        endpoint: handle.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      },
    }),
    send: (url, init) => fetch(url, init),
  };
}

/**
 * A real S3-compatible server (scripts/servers/minio.sh: it checks SigV4 and POST policies),
 * when TEST_S3_ENDPOINT and its credentials are set; its buckets are jq-test-*.
 */
const realS3 = process.env["TEST_S3_ENDPOINT"];
const REAL_S3_BUCKETS: Record<Bucket, string> = {
  tracks: "jq-test-tracks",
  covers: "jq-test-covers",
  playlists: "jq-test-playlists",
  temp: "jq-test-temp",
};
function realS3Adapter(endpoint: string): Adapter {
  return {
    name: "s3 (real server)",
    store: createLazyS3ObjectStore({
      buckets: REAL_S3_BUCKETS,
      listPageSize: 2,
      client: {
        region: "us-east-1",
        endpoint,
        forcePathStyle: true,
        credentials: {
          accessKeyId: process.env["TEST_S3_ACCESS_KEY_ID"] ?? "",
          secretAccessKey: process.env["TEST_S3_SECRET_ACCESS_KEY"] ?? "",
        },
      },
    }),
    send: (url, init) => fetch(url, init),
  };
}

const adapters: { name: string; make: () => Adapter }[] = [{ name: "disk", make: diskAdapter }];
if (s3rver) {
  const handle = s3rver;
  adapters.push({ name: "s3rver", make: () => s3Adapter(handle) });
}
if (realS3) adapters.push({ name: "s3 server", make: () => realS3Adapter(realS3) });
else
  console.info(
    "[jonquils] S3 server cases skipped: run scripts/servers/minio.sh (npm run test:servers).",
  );

describe.each(adapters)("object store contract ($name)", ({ make }) => {
  let adapter: Adapter;
  let store: ObjectStore;
  beforeAll(() => {
    adapter = make();
    store = adapter.store;
  });

  it("answers ping and names a bucket for every logical bucket", async () => {
    await store.ping();
    for (const b of BUCKETS) expect(store.bucketNames[b]).toBeTruthy();
  });

  it("puts, heads and gets an object", async () => {
    const body = bytes("ID3 not really an mp3 but bytes all the same");
    await store.put("tracks", "c/put/one.mp3", body, "audio/mpeg");
    expect(await store.get("tracks", "c/put/one.mp3")).toEqual(body);
    expect(await store.head("tracks", "c/put/one.mp3")).toMatchObject({
      key: "c/put/one.mp3",
      size: body.length,
      etag: md5(body),
      contentType: "audio/mpeg",
    });
    const replaced = bytes("second version");
    await store.put("tracks", "c/put/one.mp3", replaced, "audio/mpeg");
    expect(await store.get("tracks", "c/put/one.mp3")).toEqual(replaced);
  });

  it("keeps buckets apart", async () => {
    await store.put("covers", "c/apart/x.jpg", bytes("cover"), "image/jpeg");
    expect(await store.head("temp", "c/apart/x.jpg")).toBeNull();
    expect(await store.head("covers", "c/apart/x.jpg")).not.toBeNull();
  });

  it("answers null / ObjectNotFoundError for a missing key", async () => {
    expect(await store.head("tracks", "c/missing/none.mp3")).toBeNull();
    await expect(store.get("tracks", "c/missing/none.mp3")).rejects.toBeInstanceOf(
      ObjectNotFoundError,
    );
  });

  it("lists a prefix in key order across pages", async () => {
    // (s3rver walks folders depth-first, so a sibling like "c/list-x" would come out of
    // S3's binary order and be skipped by paging: the keys here avoid that s3rver bug.)
    const keys = ["c/list/b", "c/list/a/2", "c/list/a/1", "c/list/c.mp3", "c/list/ä"];
    for (const k of keys) await store.put("temp", k, bytes(k), "audio/mpeg");
    await store.put("temp", "c/listing", bytes("outside"), "audio/mpeg");
    const listed = [];
    for await (const o of store.list("temp", "c/list/")) listed.push(o);
    expect(listed.map((o) => o.key)).toEqual([
      "c/list/a/1",
      "c/list/a/2",
      "c/list/b",
      "c/list/c.mp3",
      "c/list/ä",
    ]);
    expect(listed[0]).toMatchObject({
      size: bytes("c/list/a/1").length,
      etag: md5(bytes("c/list/a/1")),
    });
    const none = [];
    for await (const o of store.list("temp", "c/nothing/")) none.push(o.key);
    expect(none).toEqual([]);
  });

  it("lists a prefix that ends inside a name", async () => {
    for (const k of ["c/pfx/ab1", "c/pfx/ab2", "c/pfx/abc/1", "c/pfx/b"])
      await store.put("temp", k, bytes(k), "audio/mpeg");
    const listed = [];
    for await (const o of store.list("temp", "c/pfx/ab")) listed.push(o.key);
    expect(listed).toEqual(["c/pfx/ab1", "c/pfx/ab2", "c/pfx/abc/1"]);
  });

  it("deletes, idempotently", async () => {
    await store.put("temp", "c/del/x", bytes("x"), "audio/mpeg");
    await store.delete("temp", "c/del/x");
    expect(await store.head("temp", "c/del/x")).toBeNull();
    await store.delete("temp", "c/del/x");
  });

  it("stores Unicode keys", async () => {
    const key = "c/uni/Ærø — 音楽.mp3";
    await store.put("tracks", key, bytes("uni"), "audio/mpeg");
    expect(await store.get("tracks", key)).toEqual(bytes("uni"));
    const listed = [];
    for await (const o of store.list("tracks", "c/uni/")) listed.push(o.key);
    expect(listed).toEqual([key]);
  });

  it("refuses unsafe keys", async () => {
    for (const bad of ["../x", "/abs", "a//b", "a/./b", ""])
      await expect(store.put("temp", bad, bytes("x"), "audio/mpeg"), bad).rejects.toThrow(/unsafe/);
  });

  it("serves a presigned download, with Range", async () => {
    const body = new Uint8Array(Array.from({ length: 64 }, (_, i) => i));
    const key = "c/dl/song é.mp3";
    await store.put("tracks", key, body, "audio/mpeg");
    const url = await store.presignDownload("tracks", key, { expiresInSeconds: 120 });
    const full = await adapter.send(url);
    expect(full.status).toBe(200);
    expect(full.headers.get("content-type")).toBe("audio/mpeg");
    expect(new Uint8Array(await full.arrayBuffer())).toEqual(body);
    const part = await adapter.send(url, { headers: { range: "bytes=10-19" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 10-19/64");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(body.slice(10, 20));
  });

  it("accepts a direct upload through its presigned POST", async () => {
    const key = "c/post/upload.mp3";
    const presigned = await store.presignUpload("tracks", key, {
      contentType: "audio/mpeg",
      contentTypePrefix: "audio/",
      maxBytes: 1024,
      expiresInSeconds: 900,
    });
    expect(presigned.method).toBe("POST");
    expect(presigned.fields["key"]).toBe(key);
    expect(presigned.fields["Content-Type"]).toBe("audio/mpeg");
    expect(Date.parse(presigned.expiresAt) - Date.now()).toBeGreaterThan(890_000);
    const form = new FormData();
    for (const [k, v] of Object.entries(presigned.fields)) form.append(k, v);
    const body = bytes("ID3 uploaded through the form");
    form.append("file", new Blob([body], { type: "audio/mpeg" }), "upload.mp3");
    const res = await adapter.send(presigned.url, { method: "POST", body: form });
    expect([200, 201, 204]).toContain(res.status);
    expect(await store.get("tracks", key)).toEqual(body);
    expect((await store.head("tracks", key))?.contentType).toBe("audio/mpeg");
  });

  it("refuses to sign an unusable upload policy", async () => {
    const base = {
      contentType: "audio/mpeg",
      contentTypePrefix: "audio/",
      maxBytes: 10,
      expiresInSeconds: 60,
    };
    await expect(
      store.presignUpload("tracks", "c/p/x", { ...base, contentType: "text/html" }),
    ).rejects.toThrow();
    await expect(
      store.presignUpload("tracks", "c/p/x", { ...base, maxBytes: 0 }),
    ).rejects.toThrow();
    await expect(
      store.presignUpload("tracks", "c/p/x", { ...base, expiresInSeconds: 8 * 24 * 3600 }),
    ).rejects.toThrow();
  });
});

describe("S3 adapter presigning (no server needed)", () => {
  it("pins key, type and size range in the POST policy", async () => {
    const store = createS3ObjectStore({
      buckets: S3_BUCKETS,
      client: {
        region: "eu-west-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
      },
    });
    const presigned = await store.presignUpload("tracks", "u/x/y/z.mp3", {
      contentType: "audio/mpeg",
      contentTypePrefix: "audio/",
      maxBytes: 200 * 1024 * 1024,
      expiresInSeconds: 900,
    });
    expect(presigned.url).toContain("jq-tracks");
    const policy = JSON.parse(Buffer.from(presigned.fields["Policy"]!, "base64").toString());
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ["content-length-range", 1, 200 * 1024 * 1024],
        ["starts-with", "$Content-Type", "audio/"],
        ["eq", "$Content-Type", "audio/mpeg"],
        { key: "u/x/y/z.mp3" },
        { bucket: "jq-tracks" },
      ]),
    );
    const expiresIn = Date.parse(policy.expiration) - Date.now();
    expect(expiresIn).toBeGreaterThan(890_000);
    expect(expiresIn).toBeLessThanOrEqual(900_000);
    const url = new URL(
      await store.presignDownload("tracks", "u/x/y/z.mp3", { expiresInSeconds: 300 }),
    );
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
    // Checksums WHEN_REQUIRED: no empty-body checksum pinned into the URL (aws-sdk-js-v3 #6994).
    expect([...url.searchParams.keys()].some((k) => k.toLowerCase().includes("checksum"))).toBe(
      false,
    );
  });
});

if (s3rverError) {
  describe.skip(`S3 adapter against s3rver: skipped (${s3rverError})`, () => {
    it("needs s3rver", () => undefined);
  });
}
