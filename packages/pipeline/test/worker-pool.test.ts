import { trainGenreModel } from "@jonquils/pipeline/analysis/genre-model";
import { REFERENCE_EXAMPLES } from "@jonquils/pipeline/analysis/genre-reference";
import { examineAudio } from "@jonquils/pipeline/compute/examine";
import { createAudioPool, type AudioPool } from "@jonquils/pipeline/compute/pool";
import { WorkerCrashError } from "@jonquils/pipeline/compute/port";
import { loopMp3 } from "@jonquils/pipeline/bench/ingest-analysis";
import {
  registerArtist,
  startTestApi,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Issue 11 item 4: locally, decoding, analysis and thumbnails run on worker threads, so the
 * API's event loop keeps answering; a worker that dies fails only its own upload, with a
 * reason in words, and the pool carries on with a fresh worker.
 */
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
// Two minutes of a real MP3 stream (the frames of bench-source.mp3, looped).
const LONG = loopMp3(fixture("bench-source.mp3"), 120);
const SHORT = fixture("corpus/alarm.mp3");

/** How busy the caller's event loop was (0–1) while `work` ran. */
async function loopBusy<T>(work: () => Promise<T>): Promise<{ result: T; busy: number }> {
  const before = performance.eventLoopUtilization();
  const result = await work();
  return { result, busy: performance.eventLoopUtilization(before).utilization };
}
const warm = (pool: AudioPool) =>
  pool.examine({ bytes: SHORT, filename: "a.mp3", analyse: true, expectedMd5: null });

describe("the audio worker pool", () => {
  let pool: AudioPool;
  const poolErrors: unknown[] = [];
  beforeAll(() => {
    pool = createAudioPool({ threads: 1, onError: (e) => poolErrors.push(e) });
  });
  afterAll(async () => {
    await pool.close();
  });

  it("trains the genre model off the caller's event loop: the same model as inline", async () => {
    // The aggregate step's retraining cross-validates dozens of candidates (seconds).
    const inPool = await loopBusy(() => pool.trainGenre(REFERENCE_EXAMPLES));
    const inline = await loopBusy(async () => trainGenreModel(REFERENCE_EXAMPLES));
    expect(inPool.result?.version).toMatch(/^genre-lr-/);
    expect(inPool.result).toEqual(inline.result);
    expect(inline.busy).toBeGreaterThan(0.7);
    expect(inPool.busy).toBeLessThan(0.2);
  }, 120_000);

  it("analyses a long file off the caller's event loop, with the same result as inline", async () => {
    // Warm the worker (tsx, the decoders) so the measurement is the analysis alone.
    await warm(pool);
    const inPool = await loopBusy(() =>
      pool.examine({ bytes: LONG, filename: "long.mp3", analyse: true, expectedMd5: null }),
    );
    const inline = await loopBusy(() =>
      examineAudio({ bytes: LONG, filename: "long.mp3", analyse: true, expectedMd5: null }),
    );
    expect(inPool.result.ok && inline.result.ok).toBe(true);
    if (!inPool.result.ok || !inline.result.ok) return;
    expect(inPool.result.analysis.format.durationMs).toBeGreaterThan(119_000);
    expect(inPool.result.analysis.features).toEqual(inline.result.analysis.features);
    // Inline, decoding keeps the caller's loop busy nearly all the time; through the pool the
    // loop only waits (requests are answered at once).
    expect(inline.busy).toBeGreaterThan(0.7);
    expect(inPool.busy).toBeLessThan(0.2);
  }, 120_000);

  it("fails the one file whose worker is killed mid-analysis, then serves the next file", async () => {
    await warm(pool);
    const running = pool.examine({
      bytes: LONG,
      filename: "long.mp3",
      analyse: true,
      expectedMd5: null,
    });
    await new Promise((r) => setTimeout(r, 200));
    await pool.workers[0]!.terminate();
    const error = await running.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkerCrashError);
    expect((error as Error).message).toMatch(
      /audio worker handling this file stopped unexpectedly/,
    );
    const next = await pool.examine({
      bytes: SHORT,
      filename: "alarm.mp3",
      analyse: true,
      expectedMd5: null,
    });
    expect(next.ok).toBe(true);
  }, 120_000);

  it("survives a worker that exits, throws outside its task or hangs", async () => {
    const bad = createAudioPool({
      threads: 1,
      taskTimeoutMs: 1500,
      workerUrl: new URL("./fixtures/misbehaving-worker.ts", import.meta.url),
    });
    try {
      const input = { bytes: SHORT, analyse: false, expectedMd5: null };
      await expect(bad.examine({ ...input, filename: "exit.mp3" })).rejects.toThrow(
        /stopped unexpectedly \(worker exited with code: 7\)/,
      );
      await expect(bad.examine({ ...input, filename: "throw.mp3" })).rejects.toThrow(
        /stopped unexpectedly \(the decoder blew up\)/,
      );
      await expect(bad.examine({ ...input, filename: "hang.mp3" })).rejects.toThrow(
        /stopped unexpectedly \(it took longer than 2 s\)/,
      );
      // A fresh worker takes the next file.
      await expect(bad.examine({ ...input, filename: "ok.mp3" })).resolves.toMatchObject({
        ok: false,
        reason: "refused ok.mp3",
      });
    } finally {
      await bad.close();
    }
  }, 60_000);
});

describe("a worker crash during Transform, end to end", () => {
  let api: TestApiWithStorage;
  let pool: AudioPool;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  beforeAll(async () => {
    pool = createAudioPool({ threads: 1 });
    api = await startTestApi(
      { db: "pglite", redis: false },
      { INGEST_ANALYSE_AUDIO: "true" },
      { pipeline: true, compute: pool },
    );
    artist = await registerArtist(api, "Crash Testers");
    await warm(pool);
  });
  afterAll(async () => {
    await api.close();
    await pool.close();
  });

  async function upload(filename: string, bytes: Uint8Array) {
    const ticket = await api.request("POST", "/api/v1/tracks/upload", {
      token: artist.accessToken,
      body: { filename, contentType: "audio/mpeg", size: bytes.byteLength },
    });
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    const form = new FormData();
    for (const [k, v] of Object.entries(ticket.body.presigned.fields as Record<string, string>))
      form.append(k, v);
    form.append("file", new Blob([bytes], { type: "audio/mpeg" }), filename);
    const res = await api.fetchUrl(ticket.body.presigned.url, { method: "POST", body: form });
    expect(res.status).toBeLessThan(300);
    return ticket.body.upload.id as string;
  }
  const view = async (id: string) =>
    (await api.request("GET", `/api/v1/uploads/${id}`, { token: artist.accessToken })).body;

  it("the killed upload ends failed with a reason, the next one becomes a track", async () => {
    const killed = await upload("long.mp3", LONG);
    // Kill the worker while it decodes this upload.
    while (pool.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 300));
    await pool.workers[0]!.terminate();
    await Promise.all(api.executions);
    const failed = await view(killed);
    expect(failed.status).toBe("failed");
    expect(failed.failureReason).toMatch(/audio worker handling this file stopped unexpectedly/);

    const fine = await upload("alarm.mp3", SHORT);
    await Promise.all(api.executions);
    await api.pipeline!.drain();
    const done = await view(fine);
    expect(done.status).toBe("done");
    const track = (await api.request("GET", `/api/v1/tracks/${done.trackId}`)).body;
    expect(track.hasAudio).toBe(true);
  }, 180_000);
});
