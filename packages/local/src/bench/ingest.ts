/**
 * `npm run bench:ingest`: the pipeline's costs next to baselines measured in the same run.
 *
 * 1. Audio analysis per file (packages/pipeline/src/bench/ingest-analysis.ts): full analysis
 *    time over decode-only time (target ≤ 3×) and analysis speed in multiples of real time on
 *    one core (target ≥ 50×).
 * 2. Tags-only ingest through the whole state machine (extract → transform without decoding →
 *    load → index → aggregate, on PGlite, the local disk store and the in-process executor)
 *    next to raw music-metadata parsing of the same files (target ≥ 50 % of its throughput).
 *
 * 3. API latency during a bulk import (bench/api-under-import.ts): p99 of a light GET while the
 *    longest real recordings of the evaluation set are imported with full analysis, over idle
 *    (target ≤ 2×), and connection errors (target 0); PGlite, and PostgreSQL when DATABASE_URL is set.
 *
 *   npm run bench:ingest -- [--files N] [--minutes M] [--repeat R] [--ingest-files K] [--api-files F] [--no-api]
 */
import { createLogger, loadConfig, assembleRuntime } from "@jonquils/core";
import { createArtist } from "@jonquils/core/artist/index";
import { requestUpload } from "@jonquils/core/upload/index";
import { createLocalPipeline } from "@jonquils/pipeline/executor";
import { aggregate } from "@jonquils/pipeline/steps/aggregate";
import type { JobRef } from "@jonquils/pipeline/steps/deps";
import { extract } from "@jonquils/pipeline/steps/extract";
import { indexTrack } from "@jonquils/pipeline/steps/index-step";
import { load } from "@jonquils/pipeline/steps/load";
import { transform } from "@jonquils/pipeline/steps/transform";
import { generatedCorpus, runIngestAnalysisBench } from "@jonquils/pipeline/bench/ingest-analysis";
import { parseBuffer } from "music-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migratePglite, openPglite } from "../pglite";
import { createDiskObjectStore } from "../storage/disk-store";

const args = process.argv.slice(2);
const num = (name: string) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : undefined;
};
const log = (line = "") => process.stdout.write(`${line}\n`);

log(
  `JONQUILS ingest benchmark — ${new Date().toISOString()}, Node ${process.version}, 2 cores shared`,
);
log();
if (!args.includes("--ingest-only")) {
  log("== 1. audio analysis per file ==");
  await runIngestAnalysisBench({
    files: num("--files"),
    minutes: num("--minutes"),
    repeat: num("--repeat"),
  });
}

log();
log("== 2. tags-only ingest through the state machine vs raw music-metadata ==");
const ingestFiles = num("--ingest-files") ?? 40;
const minutes = num("--minutes") ?? 3;
// Looped 3-minute MP3s, each a distinct object (the pipeline keys tracks by file).
const corpus = generatedCorpus(ingestFiles, minutes).filter((f) => f.name.startsWith("loop-"));
const totalBytes = corpus.reduce((a, f) => a + f.bytes.byteLength, 0);

// Baseline: parse every file the way the pipeline's tag reader does.
let start = performance.now();
for (const f of corpus)
  await parseBuffer(
    f.bytes,
    { mimeType: "audio/mpeg", size: f.bytes.byteLength },
    { duration: true, skipCovers: false },
  );
const parseMs = performance.now() - start;

const dir = await mkdtemp(join(tmpdir(), "jq-bench-ingest-"));
const config = loadConfig({
  JWT_SECRET: "x".repeat(48),
  BCRYPT_COST: "4",
  LOG_LEVEL: "silent",
  DATA_DIR: dir,
  INGEST_ANALYSE_AUDIO: "false",
});
const catalog = await openPglite();
await migratePglite(catalog);
const logger = createLogger("silent");
const late: {
  start?: (e: Parameters<ReturnType<typeof createLocalPipeline>["start"]>[0]) => void;
} = {};
const store = createDiskObjectStore({
  root: join(dir, "objects"),
  publicUrl: "http://127.0.0.1",
  secret: config.JWT_SECRET!,
  log: logger,
  onObjectCreated: (e) => late.start?.(e),
});
const runtime = assembleRuntime(config, catalog, config.JWT_SECRET!, logger, store);
const deps = { ...runtime.ports, analyseAudio: false };
// The same steps the executor runs, timed one by one.
const stepMs = new Map<string, number>();
const timedStep =
  <I, O>(name: string, fn: (input: I) => Promise<O>) =>
  async (input: I) => {
    const t = performance.now();
    try {
      return await fn(input);
    } finally {
      stepMs.set(name, (stepMs.get(name) ?? 0) + performance.now() - t);
    }
  };
const pipeline = createLocalPipeline(deps, {
  handlers: {
    Extract: timedStep("extract", (i: Parameters<typeof extract>[1]) => extract(deps, i)),
    Transform: timedStep("transform", async (i: { job: JobRef }) => {
      await transform(deps, i.job);
      return null;
    }),
    Load: timedStep("load", (i: { job: JobRef }) => load(deps, i.job)),
    Index: timedStep("index", async (i: { job: JobRef; trackId: string }) => {
      await indexTrack(deps, i);
      return null;
    }),
    Aggregate: timedStep("aggregate", (i: { job: JobRef; trackId: string }) => aggregate(deps, i)),
  },
});
const outcomes: Promise<{ status: string }>[] = [];
late.start = (e) => {
  if (e.bucket === "tracks") outcomes.push(pipeline.start(e));
};
const session = await runtime.auth.register(
  { username: "bench", email: "bench@example.com", password: "bench password" },
  {},
);
const ctx = { ...runtime.ports, meta: {} };
await createArtist(ctx, { userId: session.user.id, role: "user" }, { name: "Bench Artist" });
const actor = { userId: session.user.id, role: "artist" as const };

start = performance.now();
for (const f of corpus) {
  const ticket = await requestUpload(ctx, actor, {
    filename: f.name,
    contentType: "audio/mpeg",
    size: f.bytes.byteLength,
  });
  await store.put("tracks", ticket.upload.key, f.bytes, "audio/mpeg");
}
const results = await Promise.all(outcomes);
await pipeline.drain();
const ingestMs = performance.now() - start;
const ok = results.filter((r) => r.status === "SUCCEEDED").length;

const parseRate = (corpus.length / parseMs) * 1000;
const ingestRate = (corpus.length / ingestMs) * 1000;
log(
  `dataset: ${corpus.length} MP3s × ${minutes} min (192 kbit/s stereo), ${(totalBytes / 1e6).toFixed(1)} MB; ${ok}/${corpus.length} ingested`,
);
log(
  `raw music-metadata parse (duration: true)   ${parseRate.toFixed(1).padStart(8)} files/s   (${(parseMs / corpus.length).toFixed(2)} ms/file)`,
);
log(
  `tags-only ingest, whole state machine       ${ingestRate.toFixed(1).padStart(8)} files/s   (${(ingestMs / corpus.length).toFixed(2)} ms/file)`,
);
log(
  `time per file by step (summed over concurrent executions): ${[...stepMs].map(([k, v]) => `${k} ${(v / corpus.length).toFixed(1)} ms`).join(", ")}`,
);
log(
  `ratio ingest / raw parse: ${(ingestRate / parseRate).toFixed(2)} (target ≥ 0.50) ${ingestRate / parseRate >= 0.5 ? "met" : "NOT MET"}`,
);

await pipeline.close();
await runtime.close();
await rm(dir, { recursive: true, force: true });

if (!args.includes("--ingest-only") && !args.includes("--no-api")) {
  log();
  log("== 3. API latency during a bulk import of long real recordings (worker pool) ==");
  const { runApiUnderImport } = await import("./api-under-import");
  const files = num("--api-files") ?? 8;
  await runApiUnderImport({ files, log });
  // The PostgreSQL server wiring too, when one is configured (scripts/services.sh env).
  if (process.env["DATABASE_URL"])
    await runApiUnderImport({ files, log, databaseUrl: process.env["DATABASE_URL"] });
}
process.exit(0);
