import { schema } from "@jonquils/core";
import { hasPostgres, openTestDatabase, TEST_JWT_SECRET } from "@jonquils/local/testing/harness";
import {
  startS3rver,
  stubLambdaEnv,
  testBuckets,
  type S3rverHandle,
} from "@jonquils/local/testing/s3rver";
import { eq } from "drizzle-orm";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const BUCKETS = testBuckets("jq-mon");

/** The scheduled monitoring Lambda, wired from the environment to PostgreSQL and an S3 API. */
describe.skipIf(!hasPostgres())("functions/monitoring.ts (PostgreSQL + S3 API)", () => {
  let s3: S3rverHandle;
  let catalog: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    s3 = await startS3rver(Object.values(BUCKETS));
    catalog = await openTestDatabase("postgres");
    stubLambdaEnv(vi.stubEnv, { databaseUrl: catalog.url!, s3, buckets: BUCKETS });
    vi.stubEnv("JWT_SECRET", TEST_JWT_SECRET);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    s3.child.kill();
    await rm(s3.dir, { recursive: true, force: true });
    await catalog.close();
  });

  it("stores each scheduled run and opens an alert once for a track with no duration", async () => {
    const { db } = catalog;
    const [user] = await db
      .insert(schema.users)
      .values({
        username: "mon-artist",
        email: "mon@example.com",
        passwordHash: "x",
        role: "artist",
      })
      .returning();
    const [artist] = await db
      .insert(schema.artists)
      .values({ name: "Mon Artist", nameKey: "mon artist", userId: user!.id })
      .returning();
    await db
      .insert(schema.tracks)
      .values({ artistId: artist!.id, title: "No Length", durationMs: 0 });

    const { handler } = await import("./monitoring");
    const first = await handler({});
    expect(first.status).toBe("alerting");
    expect(first.opened).toContain("data_quality.tracks_missing_duration");
    const second = await handler({});
    expect(second.opened).toEqual([]);

    const runs = await db.select().from(schema.monitoringRuns);
    expect(runs.map((r) => r.trigger)).toEqual(["lambda", "lambda"]);
    const open = await db.select().from(schema.alerts).where(eq(schema.alerts.status, "open"));
    expect(open.map((a) => [a.key, a.occurrences])).toEqual([
      ["data_quality.tracks_missing_duration", 2],
    ]);
  });
});
