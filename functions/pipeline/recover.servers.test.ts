import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { schema } from "@jonquils/core";
import { createS3ObjectStore } from "@jonquils/core/storage/s3";
import {
  ASK_LIVE_AFTER_MS,
  claimObject,
  EXPIRED_REASON,
  MAX_ATTEMPTS,
} from "@jonquils/core/upload/lifecycle";
import { readDefinitionText, substituteDefinition, TASKS } from "@jonquils/pipeline/definition";
import { hasPostgres, openTestDatabase } from "@jonquils/local/testing/harness";
import { testBuckets } from "@jonquils/local/testing/s3rver";
import { eq } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { handler as RecoverHandler } from "./recover";
import { redriveExecutionName } from "./step-functions-recovery";

/**
 * The recovery Lambda (functions/pipeline/recover.ts) as the EventBridge schedule runs it,
 * wired from its environment to PostgreSQL and to moto's S3 and Step Functions
 * (scripts/servers/moto.sh; `npm run test:servers` sets TEST_AWS_ENDPOINT): the real SDK
 * calls, DescribeExecution, StartExecution and ListObjectsV2, against the services' rules
 * (moto keeps started executions RUNNING, which is what a dead run's re-drive looks like).
 */
const endpoint = process.env["TEST_AWS_ENDPOINT"];
if (!endpoint)
  console.info("[jonquils] recovery Lambda cases skipped: set TEST_AWS_ENDPOINT (moto).");
const suffix = randomUUID().slice(0, 8);
const BUCKETS = testBuckets(`jq-recover-${suffix}`);
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const audio = new Uint8Array(2048).fill(7);

describe.runIf(Boolean(endpoint) && hasPostgres())("recovery Lambda (PostgreSQL + moto)", () => {
  let catalog: Awaited<ReturnType<typeof openTestDatabase>>;
  let sfn: SFNClient;
  let stateMachineArn: string;
  let userId: string;
  let handler: typeof RecoverHandler;
  const store = createS3ObjectStore({
    buckets: BUCKETS,
    client: { region: "us-east-1", endpoint, forcePathStyle: true, credentials },
  });

  beforeAll(async () => {
    catalog = await openTestDatabase("postgres");
    const s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials });
    for (const name of Object.values(BUCKETS))
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    sfn = new SFNClient({ region: "us-east-1", endpoint, credentials });
    // The shared ASL, with step ARNs as the stack substitutes them.
    const arns = Object.fromEntries(
      Object.values(TASKS).map((p) => [p, `arn:aws:lambda:us-east-1:123456789012:function:${p}`]),
    ) as Record<(typeof TASKS)[keyof typeof TASKS], string>;
    ({ stateMachineArn } = (await sfn.send(
      new CreateStateMachineCommand({
        name: `ingest-${suffix}`,
        definition: substituteDefinition(readDefinitionText(), arns),
        roleArn: "arn:aws:iam::123456789012:role/ingest",
      }),
    )) as { stateMachineArn: string });
    vi.stubEnv("DATABASE_URL", catalog.url);
    vi.stubEnv("S3_BUCKET_TRACKS", BUCKETS.tracks);
    vi.stubEnv("S3_BUCKET_COVERS", BUCKETS.covers);
    vi.stubEnv("S3_BUCKET_PLAYLISTS", BUCKETS.playlists);
    vi.stubEnv("S3_BUCKET_TEMP", BUCKETS.temp);
    vi.stubEnv("S3_ENDPOINT", endpoint);
    vi.stubEnv("S3_FORCE_PATH_STYLE", "true");
    vi.stubEnv("AWS_ENDPOINT_URL_SFN", endpoint);
    vi.stubEnv("AWS_ACCESS_KEY_ID", credentials.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey);
    vi.stubEnv("INGEST_STATE_MACHINE_ARN", stateMachineArn);
    vi.stubEnv("LOG_LEVEL", "silent");
    handler = (await import("./recover")).handler;
    const [user] = await catalog.db
      .insert(schema.users)
      .values({ username: "recover", email: "recover@example.com", passwordHash: "x" })
      .returning();
    userId = user!.id;
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await catalog?.close();
  });

  /** A ticket (pending upload) for a key of its own; the object stored when `land`. */
  async function upload(name: string, land: boolean) {
    const id = randomUUID();
    const key = `u/${userId}/${id}/${name}`;
    await catalog.db.insert(schema.trackUploads).values({
      id,
      userId,
      originalFilename: name,
      s3Path: key,
      contentType: "audio/mpeg",
      sizeBytes: audio.byteLength,
    });
    if (land) await store.put("tracks", key, audio, "audio/mpeg");
    const head = land ? await store.head("tracks", key) : null;
    return { id, key, etag: head?.etag ?? null };
  }
  /** What a dead run leaves: claimed by an execution (its name on the job), still processing. */
  async function claimedBy(u: { key: string; etag: string | null }, executionName: string) {
    const job = await catalog.db.transaction((tx) =>
      claimObject(tx, {
        bucket: BUCKETS.tracks,
        key: u.key,
        size: audio.byteLength,
        etag: u.etag,
        executionName,
      }),
    );
    expect(job.claimed).toBe(true);
    // Quiet for longer than the sweep waits before asking Step Functions about a run.
    await catalog.db
      .update(schema.trackUploads)
      .set({ updatedAt: new Date(Date.now() - 2 * ASK_LIVE_AFTER_MS) })
      .where(eq(schema.trackUploads.s3Path, u.key));
  }
  const row = async (id: string) =>
    (await catalog.db.select().from(schema.trackUploads).where(eq(schema.trackUploads.id, id)))[0]!;
  const executions = async () => {
    const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000 }));
    return (out.executions ?? []).map((e) => ({ name: e.name!, status: e.status! }));
  };
  const executionArnOf = (name: string) =>
    `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
  const sweep = () => handler({ reconcileMinAgeSeconds: 0 });

  it("re-drives an upload whose execution is gone exactly once, however often the sweep runs", async () => {
    const dead = await upload("dead.mp3", true);
    await claimedBy(dead, `gone-${randomUUID()}`);
    // Another upload whose execution still runs is left alone.
    const alive = await upload("alive.mp3", true);
    const running = `from-eventbridge-${suffix}`;
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name: running, input: "{}" }));
    await claimedBy(alive, running);

    const first = await sweep();
    const second = await sweep();
    expect(first.redriven).toBe(1);
    expect(second.redriven).toBe(0);

    const name = redriveExecutionName(dead.id, 2);
    expect((await executions()).filter((e) => e.name.includes(dead.id))).toEqual([
      { name, status: "RUNNING" },
    ]);
    expect((await executions()).filter((e) => e.name.includes(alive.id))).toEqual([]);
    // The state machine gets what EventBridge would deliver for that object.
    const described = await sfn.send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(name) }),
    );
    expect(JSON.parse(described.input!)).toEqual({
      version: "0",
      "detail-type": "Object Created",
      source: "aws.s3",
      detail: {
        bucket: { name: BUCKETS.tracks },
        object: { key: dead.key, size: audio.byteLength, etag: dead.etag },
      },
    });
    // The dead run is closed and its registry claim released, so the re-drive's Extract may retake it.
    const jobs = await catalog.db
      .select({ status: schema.etlJobs.status })
      .from(schema.etlJobs)
      .where(eq(schema.etlJobs.uploadId, dead.id));
    expect(jobs).toEqual([{ status: "failed" }]);
    const [registry] = await catalog.db
      .select({ status: schema.s3FileRegistry.status })
      .from(schema.s3FileRegistry)
      .where(eq(schema.s3FileRegistry.filePath, dead.key));
    expect(registry!.status).toBe("failed");
    expect((await row(alive.id)).status).toBe("processing");
    const aliveJobs = await catalog.db
      .select({ status: schema.etlJobs.status })
      .from(schema.etlJobs)
      .where(eq(schema.etlJobs.uploadId, alive.id));
    expect(aliveJobs).toEqual([{ status: "running" }]);
  });

  it("fails a ticket past its expiry whose file never came as expired", async () => {
    const never = await upload("never-sent.mp3", false);
    await catalog.db
      .update(schema.trackUploads)
      .set({ expiresAt: new Date(Date.now() - 3600_000) })
      .where(eq(schema.trackUploads.id, never.id));
    const report = await sweep();
    expect(report.expired).toBe(1);
    expect(await row(never.id)).toMatchObject({ status: "failed", failureReason: EXPIRED_REASON });
    expect(EXPIRED_REASON).toMatch(/expired/);
    expect((await executions()).filter((e) => e.name.includes(never.id))).toEqual([]);
  });

  it("finds an object whose event was lost (no registry row) and drives it, once", async () => {
    const lost = await upload("lost-event.mp3", true);
    const first = await sweep();
    const second = await sweep();
    expect(first.reconciled).toBe(1);
    // Its execution runs (moto never runs Extract, which would register the object): not started again.
    expect(second.reconciled).toBe(0);
    expect((await executions()).filter((e) => e.name.includes(lost.id))).toEqual([
      { name: redriveExecutionName(lost.id, 1), status: "RUNNING" },
    ]);
    // The ticket is not failed as expired while its object waits for the pipeline.
    expect((await row(lost.id)).status).toBe("pending");
    // A fresh object is left to its own event by the scheduled sweep (2 minutes of grace).
    const fresh = await upload("fresh.mp3", true);
    expect((await handler({})).reconciled).toBe(0);
    expect((await executions()).filter((e) => e.name.includes(fresh.id))).toEqual([]);
  });

  it("respects the bound: after MAX_ATTEMPTS executions the upload fails with a reason, nothing more starts", async () => {
    // Claimed MAX_ATTEMPTS times already (the last run died too).
    const worn = await upload("worn.mp3", true);
    await claimedBy(worn, `gone-${randomUUID()}`);
    await catalog.db
      .update(schema.trackUploads)
      .set({ attempts: MAX_ATTEMPTS })
      .where(eq(schema.trackUploads.id, worn.id));
    // Claimed once, and every re-drive name already used by an execution that ended before claiming.
    const stuck = await upload("stuck.mp3", true);
    await claimedBy(stuck, `gone-${randomUUID()}`);
    for (let n = 2; n <= MAX_ATTEMPTS; n++) {
      const name = redriveExecutionName(stuck.id, n);
      await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: "{}" }));
      await sfn.send(new StopExecutionCommand({ executionArn: executionArnOf(name) }));
    }
    const ours = async () =>
      (await executions()).filter((e) => e.name.includes(worn.id) || e.name.includes(stuck.id));
    const before = await ours();

    const report = await sweep();
    expect(report.gaveUp).toBe(2);
    for (const u of [worn, stuck]) {
      const r = await row(u.id);
      expect(r.status).toBe("failed");
      expect(r.failureReason).toMatch(/interrupted \d times; giving up — upload the file again/);
    }
    await sweep();
    expect(await ours()).toEqual(before);
  });
});
