import { schema } from "@jonquils/core";
import { createS3ObjectStore } from "@jonquils/core/storage/s3";
import { hasPostgres, openTestDatabase } from "@jonquils/local/testing/harness";
import {
  startS3rver,
  stubLambdaEnv,
  testBuckets,
  type S3rverHandle,
} from "@jonquils/local/testing/s3rver";
import { eq } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const BUCKETS = testBuckets("jq-fn");

/**
 * The pipeline's Lambda entries as Step Functions calls them, one after the other, wired
 * from the environment to PostgreSQL and an S3 API (s3rver): the event carries the real
 * bucket name, as S3 → EventBridge delivers it.
 */
describe.skipIf(!hasPostgres())("pipeline Lambdas (PostgreSQL + S3 API)", () => {
  let s3: S3rverHandle;
  let catalog: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    s3 = await startS3rver(Object.values(BUCKETS));
    catalog = await openTestDatabase("postgres");
    stubLambdaEnv(vi.stubEnv, { databaseUrl: catalog.url!, s3, buckets: BUCKETS });
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    s3.child.kill();
    await rm(s3.dir, { recursive: true, force: true });
    await catalog.close();
  });

  it("ingests an uploaded object through extract → transform → load → index → aggregate", async () => {
    const { db } = catalog;
    const [user] = await db
      .insert(schema.users)
      .values({ username: "fn-artist", email: "fn@example.com", passwordHash: "x", role: "artist" })
      .returning();
    await db
      .insert(schema.artists)
      .values({ name: "Fn Artist", nameKey: "fn artist", userId: user!.id });
    const uploadId = randomUUID();
    const key = `u/${user!.id}/${uploadId}/tagged.mp3`;
    const bytes = new Uint8Array(
      await readFile(new URL("../../packages/pipeline/test/fixtures/tagged.mp3", import.meta.url)),
    );
    await db.insert(schema.trackUploads).values({
      id: uploadId,
      userId: user!.id,
      originalFilename: "tagged.mp3",
      s3Path: key,
      contentType: "audio/mpeg",
      sizeBytes: bytes.byteLength,
    });
    const store = createS3ObjectStore({
      buckets: BUCKETS,
      client: {
        region: "us-east-1",
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      },
    });
    await store.put("tracks", key, bytes, "audio/mpeg");

    const extract = (await import("./extract")).handler;
    const transform = (await import("./transform")).handler;
    const load = (await import("./load")).handler;
    const index = (await import("./index")).handler;
    const aggregate = (await import("./aggregate")).handler;

    const job = await extract({
      bucket: BUCKETS.tracks,
      key,
      size: bytes.byteLength,
      etag: null,
      executionName: "exec-1",
    });
    expect(job.claimed).toBe(true);
    await transform({ job });
    const { trackId } = await load({ job });
    await index({ job, trackId });
    await aggregate({ job, trackId });

    const [track] = await db.select().from(schema.tracks).where(eq(schema.tracks.id, trackId));
    // The track plays the verified copy (a/…), a key no signed form can target.
    expect(track).toMatchObject({
      title: "Ёлка — Café",
      filePath: key.replace(/^u\//, "a/"),
      fileFormat: "mp3",
    });
    expect(track!.tempo).toBeGreaterThan(0);
    const [upload] = await db
      .select()
      .from(schema.trackUploads)
      .where(eq(schema.trackUploads.id, uploadId));
    expect(upload).toMatchObject({ status: "done", trackId });
    // The thumbnails went to the covers bucket on S3.
    expect(await store.head("covers", `uploads/${uploadId}/cover-300.webp`)).not.toBeNull();
    // A second execution for the same event is a no-op.
    expect(
      (
        await extract({
          bucket: BUCKETS.tracks,
          key,
          size: bytes.byteLength,
          etag: null,
          executionName: "exec-2",
        })
      ).claimed,
    ).toBe(false);
  });

  it("marks the upload failed with the reason when a step throws", async () => {
    const { db } = catalog;
    const [user] = await db
      .select()
      .from(schema.users)
      .where(eq(schema.users.username, "fn-artist"));
    const key = `u/${user!.id}/${randomUUID()}/bad.mp3`;
    await db
      .insert(schema.trackUploads)
      .values({ userId: user!.id, originalFilename: "bad.mp3", s3Path: key });
    const markFailed = (await import("./mark-failed")).handler;
    const result = await markFailed({
      state: {
        detail: { bucket: { name: BUCKETS.tracks }, object: { key } },
        error: {
          Error: "UnreadableAudioError",
          Cause: JSON.stringify({
            errorType: "UnreadableAudioError",
            errorMessage: "not an audio file",
          }),
        },
      },
    });
    expect(result.reason).toBe("not an audio file");
    const [upload] = await db
      .select()
      .from(schema.trackUploads)
      .where(eq(schema.trackUploads.s3Path, key));
    expect(upload).toMatchObject({ status: "failed", failureReason: "not an audio file" });
  });
});
