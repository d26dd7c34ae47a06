import { describe, expect, it } from "vitest";
import type { Bucket } from "./object-store";
import { createS3ObjectStore } from "./s3";

/**
 * What the S3 server itself refuses, against the real server behind TEST_S3_ENDPOINT
 * (scripts/servers/minio.sh; `npm run test:servers` sets it). The adapter's presigned POST
 * puts the size cap, the content type, the key and the expiry into a signed policy: these
 * cases show that the server — not our code — enforces each of them, and that it checks
 * SigV4 on presigned GETs and on API calls. They are why MinIO was chosen: moto's and
 * s3rver's S3 accept every one of these forms (see docs/architecture/testing.md).
 */
const endpoint = process.env["TEST_S3_ENDPOINT"];
const buckets: Record<Bucket, string> = {
  tracks: "jq-test-tracks",
  covers: "jq-test-covers",
  playlists: "jq-test-playlists",
  temp: "jq-test-temp",
};
const credentials = {
  accessKeyId: process.env["TEST_S3_ACCESS_KEY_ID"] ?? "",
  secretAccessKey: process.env["TEST_S3_SECRET_ACCESS_KEY"] ?? "",
};
const makeStore = (secretAccessKey = credentials.secretAccessKey) =>
  createS3ObjectStore({
    buckets,
    client: {
      region: "us-east-1",
      endpoint: endpoint!,
      forcePathStyle: true,
      credentials: { ...credentials, secretAccessKey },
    },
  });
if (!endpoint) console.info("[jonquils] S3 server refusal cases skipped: set TEST_S3_ENDPOINT.");

const run = Math.random().toString(36).slice(2, 8);
const policy = {
  contentType: "audio/mpeg",
  contentTypePrefix: "audio/",
  maxBytes: 64,
  expiresInSeconds: 60,
};

/** Posts the presigned form with `body` as the file, after `edit` changed its fields. */
async function post(
  presigned: { url: string; fields: Record<string, string> },
  body: Uint8Array,
  edit: (fields: Record<string, string>) => void = () => undefined,
) {
  const fields = { ...presigned.fields };
  edit(fields);
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", new Blob([body], { type: fields["Content-Type"] }), "x.mp3");
  const res = await fetch(presigned.url, { method: "POST", body: form });
  return { status: res.status, text: await res.text() };
}

describe.runIf(Boolean(endpoint))("S3 server enforces the signed upload policy", () => {
  const store = makeStore();
  const small = new Uint8Array(32).fill(7);

  it("accepts the form as signed (the baseline the refusals below differ from)", async () => {
    const key = `refuse/${run}/ok.mp3`;
    const presigned = await store.presignUpload("temp", key, policy);
    const res = await post(presigned, small);
    expect([200, 201, 204]).toContain(res.status);
    expect((await store.head("temp", key))?.size).toBe(32);
  });

  it("refuses a body over the content-length-range", async () => {
    const key = `refuse/${run}/big.mp3`;
    const presigned = await store.presignUpload("temp", key, policy);
    const res = await post(presigned, new Uint8Array(65).fill(1));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/EntityTooLarge/);
    expect(await store.head("temp", key)).toBeNull();
  });

  it("refuses a tampered policy (a larger size cap, signature unchanged)", async () => {
    const key = `refuse/${run}/tampered.mp3`;
    const presigned = await store.presignUpload("temp", key, policy);
    const res = await post(presigned, new Uint8Array(1000).fill(1), (f) => {
      const doc = JSON.parse(Buffer.from(f["Policy"]!, "base64").toString("utf8")) as {
        conditions: unknown[];
      };
      doc.conditions = doc.conditions.map((c) =>
        Array.isArray(c) && c[0] === "content-length-range" ? [c[0], 1, 10_000_000] : c,
      );
      f["Policy"] = Buffer.from(JSON.stringify(doc)).toString("base64");
    });
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/SignatureDoesNotMatch/);
    expect(await store.head("temp", key)).toBeNull();
  });

  it("refuses an expired form", async () => {
    const key = `refuse/${run}/expired.mp3`;
    const presigned = await store.presignUpload("temp", key, { ...policy, expiresInSeconds: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const res = await post(presigned, small);
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/expired/i);
    expect(await store.head("temp", key)).toBeNull();
  });

  it("refuses another content type than the one signed", async () => {
    const key = `refuse/${run}/html.mp3`;
    const presigned = await store.presignUpload("temp", key, policy);
    const res = await post(presigned, small, (f) => (f["Content-Type"] = "text/html"));
    expect(res.status).toBe(403);
    expect(await store.head("temp", key)).toBeNull();
  });

  it("refuses another key than the one signed", async () => {
    const key = `refuse/${run}/signed.mp3`;
    const presigned = await store.presignUpload("temp", key, policy);
    const res = await post(presigned, small, (f) => (f["key"] = `refuse/${run}/other.mp3`));
    expect(res.status).toBe(403);
    expect(await store.head("temp", `refuse/${run}/other.mp3`)).toBeNull();
  });

  it("checks SigV4 on presigned GETs and on API calls", async () => {
    const key = `refuse/${run}/get.mp3`;
    await store.put("temp", key, small, "audio/mpeg");
    const url = new URL(await store.presignDownload("temp", key, { expiresInSeconds: 60 }));
    expect((await fetch(url)).status).toBe(200);
    const forged = new URL(url);
    const sig = forged.searchParams.get("X-Amz-Signature")!;
    forged.searchParams.set("X-Amz-Signature", (sig[0] === "a" ? "b" : "a") + sig.slice(1));
    expect((await fetch(forged)).status).toBe(403);
    const otherKey = new URL(url);
    otherKey.pathname = otherKey.pathname.replace("get.mp3", "got.mp3");
    expect((await fetch(otherKey)).status).toBe(403);
    const expired = new URL(await store.presignDownload("temp", key, { expiresInSeconds: 1 }));
    await new Promise((r) => setTimeout(r, 2100));
    expect((await fetch(expired)).status).toBe(403);
    await expect(makeStore("not-the-secret").get("temp", key)).rejects.toThrow();
  });
});
