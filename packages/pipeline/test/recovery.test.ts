import { schema } from "@jonquils/core";
import { checkStuck, DEFAULT_THRESHOLDS } from "@jonquils/core/monitoring/checks";
import {
  claimObject,
  EXPIRED_REASON,
  failUpload,
  recoverUploads,
  STALLED_AFTER_MS,
  type RecoveryOptions,
} from "@jonquils/core/upload/lifecycle";
import {
  registerArtist,
  startTestApi,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { eq } from "drizzle-orm";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const audio = new Uint8Array(readFileSync(new URL("./fixtures/corpus/alarm.mp3", import.meta.url)));

/**
 * After a crash every upload ends done or failed: the state a killed process leaves
 * (claimed, job running, no execution) is built here, then the recovery sweep runs as it
 * does at start.
 */
describe("crash recovery: every upload ends done or failed", () => {
  let api: TestApiWithStorage;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  beforeAll(async () => {
    api = await startTestApi(
      { db: "pglite", redis: false },
      { INGEST_ANALYSE_AUDIO: "false" },
      { pipeline: true },
    );
    artist = await registerArtist(api, "Recovery Band");
  });
  afterAll(() => api.close());

  const view = async (id: string) =>
    (await api.request("GET", `/api/v1/uploads/${id}`, { token: artist.accessToken })).body;
  const ticket = async (name: string) => {
    const res = await api.request("POST", "/api/v1/tracks/upload", {
      token: artist.accessToken,
      body: { filename: name, contentType: "audio/mpeg", size: audio.byteLength },
    });
    return { id: res.body.upload.id as string, key: res.body.upload.key as string };
  };
  /** Writes the object as the store would, without announcing it (the event is lost). */
  const land = async (key: string) => {
    const path = join(api.store.root, "tracks", key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, audio);
  };
  const recover = (options: RecoveryOptions = { live: api.pipeline!.liveKeys() }) =>
    recoverUploads(
      { db: api.runtime.ports.db, objects: api.store, log: api.runtime.ports.log },
      (event) => void api.pipeline!.start(event),
      options,
    );
  /** A run killed after its claim, its row quiet for `quietMs` (as the AWS sweep finds it). */
  const killedRun = async (name: string, quietMs = 10 * 60_000) => {
    const t = await ticket(name);
    await land(t.key);
    const job = await claimObject(api.runtime.ports.db, {
      bucket: "tracks",
      key: t.key,
      size: audio.byteLength,
      etag: createHash("md5").update(audio).digest("hex"),
    });
    expect(job.claimed).toBe(true);
    await api.runtime.ports.db
      .update(schema.trackUploads)
      .set({ updatedAt: new Date(Date.now() - quietMs) })
      .where(eq(schema.trackUploads.id, t.id));
    return { ...t, jobId: job.jobId };
  };
  const settle = async () => {
    await Promise.all(api.executions);
    await api.pipeline!.drain();
  };

  it("re-drives a run killed mid-step (claimed, job running, no execution) to done", async () => {
    const t = await ticket("killed.mp3");
    await land(t.key);
    const job = await claimObject(api.runtime.ports.db, {
      bucket: "tracks",
      key: t.key,
      size: audio.byteLength,
      etag: createHash("md5").update(audio).digest("hex"),
    });
    expect(job.claimed).toBe(true);
    expect((await view(t.id)).status).toBe("processing");

    const report = await recover();
    expect(report.redriven).toBe(1);
    await settle();
    expect(await view(t.id)).toMatchObject({ status: "done" });
    const jobs = await api.runtime.ports.db
      .select({ status: schema.etlJobs.status, error: schema.etlJobs.error })
      .from(schema.etlJobs)
      .where(eq(schema.etlJobs.uploadId, t.id));
    expect(jobs.map((j) => j.status).sort()).toEqual(["failed", "succeeded"]);
  });

  it("gives up after a bounded number of interrupted runs, with a reason", async () => {
    const t = await ticket("crashy.mp3");
    await land(t.key);
    await claimObject(api.runtime.ports.db, { bucket: "tracks", key: t.key });
    await api.runtime.ports.db
      .update(schema.trackUploads)
      .set({ attempts: 3 })
      .where(eq(schema.trackUploads.id, t.id));
    await recover();
    const up = await view(t.id);
    expect(up.status).toBe("failed");
    expect(up.failureReason).toMatch(/interrupted 3 times/);
  });

  it("fails a pending ticket past its expiry as expired, and re-drives an object whose event was lost", async () => {
    const expired = await ticket("never-sent.mp3");
    const lost = await ticket("lost-event.mp3");
    await land(lost.key);
    await api.runtime.ports.db
      .update(schema.trackUploads)
      .set({ expiresAt: new Date(Date.now() - 3600_000) })
      .where(eq(schema.trackUploads.id, expired.id));
    // Monitoring alerts on a ticket pending past its expiry (until the sweep fails it).
    const db = api.runtime.ports.db;
    const alert = async () =>
      (await checkStuck(db, new Date(), DEFAULT_THRESHOLDS)).find(
        (c) => c.key === "data_quality.tickets_expired_pending",
      )!.status;
    expect(await alert()).toBe("alert");
    const report = await recover();
    expect(report).toMatchObject({ expired: 1, reconciled: 1 });
    expect(await alert()).toBe("ok");
    await settle();
    expect(await view(expired.id)).toMatchObject({
      status: "failed",
      failureReason: EXPIRED_REASON,
    });
    expect((await view(lost.id)).status).toBe("done");
  });

  it("keeps the outcome of a run that ended while the sweep was asking about it (a refusal is not re-driven)", async () => {
    const t = await killedRun("refused-meanwhile.mp3");
    const report = await recover({
      // AWS: Step Functions says the run is gone — and meanwhile its MarkFailed step ran.
      isLive: async () => {
        await failUpload(api.runtime.ports.db, {
          key: t.key,
          bucket: "tracks",
          jobId: t.jobId,
          reason: "refused by the step",
          error: "refused",
        });
        return false;
      },
    });
    expect(report).toMatchObject({ redriven: 0, gaveUp: 0, errors: 0 });
    await settle();
    expect(await view(t.id)).toMatchObject({
      status: "failed",
      failureReason: "refused by the step",
    });
  });

  it("counts a failed liveness question as an error and asks again; past twice the stall time the run is treated as dead", async () => {
    const t = await killedRun("unknown-liveness.mp3");
    const broken: RecoveryOptions = {
      isLive: () => Promise.reject(new Error("ThrottlingException")),
    };
    expect(await recover(broken)).toMatchObject({ redriven: 0, errors: 1 });
    expect((await view(t.id)).status).toBe("processing");
    await api.runtime.ports.db
      .update(schema.trackUploads)
      .set({ updatedAt: new Date(Date.now() - 2 * STALLED_AFTER_MS - 60_000) })
      .where(eq(schema.trackUploads.id, t.id));
    expect(await recover(broken)).toMatchObject({ redriven: 1, errors: 1 });
    await settle();
    expect((await view(t.id)).status).toBe("done");
  });

  it("looks at a bounded number of runs per sweep, oldest first, and stops at its deadline", async () => {
    const older = await killedRun("bounded-older.mp3", 30 * 60_000);
    const newer = await killedRun("bounded-newer.mp3", 20 * 60_000);
    const first = await recover({ isLive: async () => false, maxRows: 1 });
    expect(first).toMatchObject({ redriven: 1, cutShort: true });
    await settle();
    expect((await view(older.id)).status).toBe("done");
    expect((await view(newer.id)).status).toBe("processing");
    // Past its deadline a sweep starts nothing and says so; the next one goes on.
    expect(await recover({ isLive: async () => false, deadline: Date.now() - 1 })).toMatchObject({
      redriven: 0,
      cutShort: true,
    });
    expect(await recover({ isLive: async () => false })).toMatchObject({ redriven: 1 });
    await settle();
    expect((await view(newer.id)).status).toBe("done");
  });
});
