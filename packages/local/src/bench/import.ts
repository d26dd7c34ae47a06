/**
 * `npm run bench:import`: bulk import of a real collection next to its baselines, measured in
 * the same run (issue 11 item 5).
 *
 * Collection: the Debian game soundtracks of the evaluation set (Ogg Vorbis, see
 * packages/pipeline/src/eval/material.ts), the first N files (default 40) in manifest order.
 *   tags-only   music-metadata alone (parseFile, duration: true, one file after another)
 *               vs. the whole state machine in tags-only mode: every file stored through the
 *               local disk store and announced to the in-process executor (extract → transform
 *               on the worker pool → load → index → aggregate, PGlite). Target ≥ 0.5×.
 *   analysis    a plain `ffmpeg -i f -f null -` decode of every file, one process per core
 *               vs. the same state machine with full analysis, the worker pool using every core.
 *               Target ≤ 3×. Both sides run at the pool's nice value (WORKER_NICE), so that
 *               on a shared machine neither gets a larger share of the cores than the other.
 *
 *   npm run bench:import -- [--files N]
 */
import { assembleRuntime, createLogger, loadConfig } from "@jonquils/core";
import { createArtist } from "@jonquils/core/artist/index";
import { requestUpload } from "@jonquils/core/upload/index";
import { createAudioPool } from "@jonquils/pipeline/compute/pool";
import { WORKER_NICE } from "@jonquils/pipeline/compute/port";
import { ffmpegAvailable } from "@jonquils/pipeline/analysis/decode";
import { audioPath, fetchMaterial, loadManifest } from "@jonquils/pipeline/eval/material";
import { createLocalPipeline } from "@jonquils/pipeline/executor";
import { parseFile } from "music-metadata";
import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { migratePglite, openPglite } from "../pglite";
import { createDiskObjectStore } from "../storage/disk-store";

const run = promisify(execFile);
const args = process.argv.slice(2);
const num = (name: string) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : undefined;
};
const log = (line = "") => process.stdout.write(`${line}\n`);
const cores = availableParallelism();

const entries = loadManifest().slice(0, num("--files") ?? 40);
await fetchMaterial(entries, () => {});
const files = entries.map((e) => audioPath(e));
const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
let audioSeconds = 0;

log(`JONQUILS bulk import benchmark — ${new Date().toISOString()}, Node ${process.version}`);
log(
  `machine: ${cores} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} (shared)`,
);

// Baseline 1: music-metadata alone.
let t = performance.now();
for (const f of files)
  audioSeconds += (await parseFile(f, { duration: true })).format.duration ?? 0;
const mmMs = performance.now() - t;
log(
  `dataset: ${files.length} files, Ogg Vorbis game soundtracks from Debian packages, ${(bytes / 1e6).toFixed(1)} MB, ${(audioSeconds / 60).toFixed(1)} min of audio`,
);

/**
 * CPU seconds used so far by this process (every thread) and by its children that have
 * ended (Linux: cutime/cstime of /proc/self/stat; null elsewhere). On a shared machine the
 * wall-time ratio depends on how many runnable threads each side has against the load; the
 * CPU-time ratio does not.
 */
function cpuSeconds(): { own: number; children: number | null } {
  const own = process.cpuUsage();
  let children: number | null = null;
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of stat(5), counted from the state (field 3) after the name.
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    // not Linux
  }
  return { own: (own.user + own.system) / 1e6, children };
}
const cpuSince = (a: ReturnType<typeof cpuSeconds>) => {
  const b = cpuSeconds();
  return {
    own: b.own - a.own,
    children: a.children === null || b.children === null ? null : b.children - a.children,
  };
};

// Baseline 2: ffmpeg decode, one process per core.
const ffmpegCpu0 = cpuSeconds();
t = performance.now();
{
  const queue = [...files];
  await Promise.all(
    Array.from({ length: cores }, async () => {
      for (let f = queue.shift(); f; f = queue.shift())
        await run("nice", [
          ...["-n", String(WORKER_NICE), "ffmpeg"],
          ...["-v", "error", "-nostdin", "-i", f, "-f", "null", "-"],
        ]);
    }),
  );
}
const ffmpegMs = performance.now() - t;
const ffmpegCpu = cpuSince(ffmpegCpu0).children;

/** Every file through the state machine (disk store → executor), as `npm start` ingests it. */
async function ingest(analyse: boolean, threads: number) {
  const dir = await mkdtemp(join(tmpdir(), "jq-bench-import-"));
  const config = loadConfig({
    JWT_SECRET: "x".repeat(48),
    BCRYPT_COST: "4",
    LOG_LEVEL: "silent",
    DATA_DIR: dir,
    INGEST_ANALYSE_AUDIO: String(analyse),
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
  const compute = createAudioPool({ threads });
  const pipeline = createLocalPipeline(
    { ...runtime.ports, analyseAudio: analyse, compute },
    { concurrency: threads + 1 },
  );
  await pipeline.warm();
  // Start the workers before the clock does (a server has them after its first upload).
  await compute.examine({
    bytes: new Uint8Array(readFileSync(files[0]!)),
    filename: "warm.ogg",
    analyse: false,
    expectedMd5: null,
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

  const cpu0 = cpuSeconds();
  const started = performance.now();
  for (const f of files) {
    const data = new Uint8Array(readFileSync(f));
    const ticket = await requestUpload(ctx, actor, {
      filename: basename(f),
      contentType: "audio/ogg",
      size: data.byteLength,
    });
    await store.put("tracks", ticket.upload.key, data, "audio/ogg");
  }
  const results = await Promise.all(outcomes);
  await pipeline.drain();
  const ms = performance.now() - started;
  const used = cpuSince(cpu0);
  const cpu = used.children === null ? null : used.own + used.children;
  const ok = results.filter((r) => r.status === "SUCCEEDED").length;
  await pipeline.close();
  await compute.close();
  await runtime.close();
  await rm(dir, { recursive: true, force: true });
  return { ms, ok, cpu };
}

const tagsOnly = await ingest(false, Math.max(1, cores - 1));
const full = await ingest(true, cores);

const rate = (ms: number) => ((files.length / ms) * 1000).toFixed(1).padStart(7);
log();
log(
  `  music-metadata alone (parseFile)             ${rate(mmMs)} files/s  ${(mmMs / 1000).toFixed(1)} s`,
);
log(
  `  tags-only import, whole state machine        ${rate(tagsOnly.ms)} files/s  ${(tagsOnly.ms / 1000).toFixed(1)} s  (${tagsOnly.ok}/${files.length} done, pool of ${Math.max(1, cores - 1)})`,
);
log(
  `  ffmpeg decode, ${cores} processes (nice ${WORKER_NICE})         ${rate(ffmpegMs)} files/s  ${(ffmpegMs / 1000).toFixed(1)} s`,
);
log(
  `  full-analysis import, whole state machine    ${rate(full.ms)} files/s  ${(full.ms / 1000).toFixed(1)} s  (${full.ok}/${files.length} done, pool of ${cores}, nice ${WORKER_NICE}, decoder: ${ffmpegAvailable() ? "ffmpeg child for Vorbis/FLAC" : "WASM"})`,
);
log(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
const tagsRatio = mmMs / tagsOnly.ms;
const fullRatio = full.ms / ffmpegMs;
log(
  `tags-only import throughput / music-metadata alone: ${tagsRatio.toFixed(2)}× (target ≥ 0.5×) ${tagsRatio >= 0.5 ? "met" : "NOT met"}`,
);
log(
  `full-analysis import time / ffmpeg decode on every core: ${fullRatio.toFixed(2)}× (target ≤ 3×) ${fullRatio <= 3 ? "met" : "NOT met"}`,
);
if (ffmpegCpu !== null && full.cpu !== null && ffmpegCpu > 0)
  log(
    `CPU time (every thread and child process): ffmpeg ${ffmpegCpu.toFixed(1)} s, full-analysis import ${full.cpu.toFixed(1)} s → ${(full.cpu / ffmpegCpu).toFixed(2)}× (independent of the machine's other load)`,
  );
process.exit(0);
