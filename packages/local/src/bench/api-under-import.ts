/**
 * API latency while a bulk import of long real recordings is analysed (issue 11 item 4).
 *
 * Starts the real local runtime (PGlite or a PostgreSQL database, disk store, in-process state
 * machine, the audio worker pool) behind a real HTTP server on loopback, in its own process
 * (api-under-import-server.ts), then from this process:
 *   idle    a light GET (/api/v1/genres) at a fixed rate, nothing else running;
 *   import  the same GET load while the longest recordings of the evaluation set (Debian
 *           game soundtracks, see packages/pipeline/src/eval/material.ts) are uploaded through
 *           signed forms, as `npm run import` sends them, with full analysis, until every
 *           upload is done or failed.
 * Prints p50/p99 of both phases, their ratio (target ≤ 2×) and connection errors (target 0),
 * and the server thread's own event-loop delay in each phase. The GETs are sent and timed from
 * a worker thread, so the uploads this process sends do not delay the probe.
 */
import { audioPath, fetchMaterial, loadManifest } from "@jonquils/pipeline/eval/material";
import { parseFile } from "music-metadata";
import { statSync } from "node:fs";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import postgres from "postgres";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";

const SERVER = fileURLToPath(new URL("./api-under-import-server.ts", import.meta.url));

/** The latency probe's thread (plain JS: no loader needed). */
const PROBE = `
const { parentPort, workerData } = require("node:worker_threads");
const { base, rate } = workerData;
const latencies = [];
const errors = [];
const inflight = new Set();
const timer = setInterval(() => {
  const t = performance.now();
  const p = fetch(base + "/api/v1/genres")
    .then(async (res) => {
      await res.arrayBuffer();
      if (res.status >= 500) errors.push("HTTP " + res.status);
      latencies.push(performance.now() - t);
    })
    .catch((err) => errors.push(String((err && err.cause && err.cause.code) || err)))
    .finally(() => inflight.delete(p));
  inflight.add(p);
}, 1000 / rate);
parentPort.on("message", async () => {
  clearInterval(timer);
  await Promise.all(inflight);
  parentPort.postMessage({ latencies, errors });
});
`;

export interface ApiUnderImportOptions {
  /** Long recordings to import (default 8, the longest of the set). */
  files?: number;
  /** Light GETs per second in both phases (default 40). */
  rate?: number;
  /** Seconds of the idle phase (default 15). */
  idleSeconds?: number;
  port?: number;
  /** A PostgreSQL database for the catalog (default: PGlite in the server process). */
  databaseUrl?: string;
  log?: (line?: string) => void;
}

const pct = (sorted: number[], p: number) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
    : NaN;

export async function runApiUnderImport(options: ApiUnderImportOptions = {}) {
  const log = options.log ?? ((l = "") => process.stdout.write(`${l}\n`));
  const rate = options.rate ?? 40;
  const entries = loadManifest();
  await fetchMaterial(entries, () => {});
  const files = entries
    .map((e) => ({ path: audioPath(e), bytes: statSync(audioPath(e)).size }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, options.files ?? 8);

  const dir = await mkdtemp(join(tmpdir(), "jq-bench-api-import-"));
  const port = options.port ?? 18240;
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    JWT_SECRET: "x".repeat(48),
    BCRYPT_COST: "4",
    LOG_LEVEL: "silent",
    DATA_DIR: dir,
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: base,
    SEED_DEMO: "false",
    INGEST_ANALYSE_AUDIO: "true",
    MONITOR_INTERVAL_MINUTES: "0",
    ANALYTICS_REFRESH_MS: "0",
    RATE_LIMIT_ENABLED: "false",
  };
  // A fresh database on the given server, dropped at the end.
  let admin: ReturnType<typeof postgres> | undefined;
  const dbName = `jq_bench_import_${process.pid}`;
  if (options.databaseUrl) {
    admin = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${dbName}`);
    await admin.unsafe(`create database ${dbName}`);
    const url = new URL(options.databaseUrl);
    url.pathname = `/${dbName}`;
    env["DATABASE_URL"] = url.href;
  }
  // BENCH_CPU_PROF=<dir>: a CPU profile of the server process (its API thread) written there.
  const prof = process.env["BENCH_CPU_PROF"];
  const profile = prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", SERVER], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`the bench server exited (${code})`)));
  });
  /** The server's own event-loop delay since the previous call (SIGUSR2, see the server). */
  const serverDelay = () =>
    new Promise<{ p50: number; p99: number; max: number }>((resolve) => {
      const onData = (d: Buffer) => {
        const m = /eld ([\d.]+) ([\d.]+) ([\d.]+)/.exec(d.toString());
        if (!m) return;
        child.stdout.off("data", onData);
        resolve({ p50: Number(m[1]), p99: Number(m[2]), max: Number(m[3]) });
      };
      child.stdout.on("data", onData);
      child.kill("SIGUSR2");
    });
  log(
    `server: ${base}, its own process (${options.databaseUrl ? "PostgreSQL server" : "PGlite"}, disk store, worker pool)`,
  );

  const json = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const res = await fetch(`${base}${path}`, {
      ...init,
      headers: {
        "content-type": "application/json",
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
    });
    const body = (await res.json().catch(() => null)) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };

  // An artist account, as a person would make one.
  const session = await json("/api/v1/auth/register", {
    method: "POST",
    body: JSON.stringify({
      username: "bencher",
      email: "bench@example.com",
      password: "bench password 1",
    }),
  });
  await json("/api/v1/artists", {
    method: "POST",
    token: session.accessToken as string,
    body: JSON.stringify({ name: "Bench Artist" }),
  });
  const refreshed = await json("/api/v1/auth/refresh", {
    method: "POST",
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  });
  const token = refreshed.accessToken as string;

  /**
   * Open-loop GETs at `rate`/s until stop() resolves; latencies and connection errors. On a
   * worker thread of its own: this thread uploads the files (reads them, builds and streams
   * 6 MB forms), which would otherwise delay the probe's own timers and responses and be
   * counted as the server's latency.
   */
  function load() {
    const probe = new Worker(PROBE, { eval: true, workerData: { base, rate } });
    return {
      stop: () =>
        new Promise<{ latencies: number[]; errors: string[] }>((resolve, reject) => {
          probe.once("message", (r: { latencies: number[]; errors: string[] }) => {
            r.latencies.sort((a, b) => a - b);
            void probe.terminate().then(() => resolve(r));
          });
          probe.once("error", reject);
          probe.postMessage("stop");
        }),
    };
  }

  // Warm-up, then the idle phase.
  for (let i = 0; i < 50; i++) await (await fetch(`${base}/api/v1/genres`)).arrayBuffer();
  // Let the start-up work (recovery sweep, index check, analytics store) finish first.
  await new Promise((r) => setTimeout(r, 5000));
  await serverDelay();
  let probe = load();
  await new Promise((r) => setTimeout(r, (options.idleSeconds ?? 15) * 1000));
  const idle = await probe.stop();
  const idleDelay = await serverDelay();

  // The import phase: upload every file through a signed form, then wait for the pipeline.
  probe = load();
  const started = performance.now();
  const ids: string[] = [];
  for (const f of files) {
    const name = basename(f.path);
    const ticket = await json("/api/v1/tracks/upload", {
      method: "POST",
      token,
      body: JSON.stringify({ filename: name, contentType: "audio/ogg", size: f.bytes }),
    });
    const presigned = ticket.presigned as { url: string; fields: Record<string, string> };
    const form = new FormData();
    for (const [k, v] of Object.entries(presigned.fields)) form.append(k, v);
    form.append("file", new Blob([await readFile(f.path)], { type: "audio/ogg" }), name);
    const res = await fetch(presigned.url, { method: "POST", body: form });
    if (res.status >= 300) throw new Error(`upload of ${name}: ${res.status} ${await res.text()}`);
    ids.push((ticket.upload as { id: string }).id);
  }
  const outcome = new Map<string, { status: string; durationMs?: number }>();
  while (outcome.size < ids.length) {
    await new Promise((r) => setTimeout(r, 500));
    for (const id of ids) {
      if (outcome.has(id)) continue;
      const up = await json(`/api/v1/uploads/${id}`, { token });
      if (up.status === "done" || up.status === "failed") outcome.set(id, { status: up.status });
    }
  }
  const importMs = performance.now() - started;
  const busy = await probe.stop();
  const busyDelay = await serverDelay();

  let seconds = 0;
  for (const f of files)
    seconds += (await parseFile(f.path, { duration: true })).format.duration ?? 0;
  const done = [...outcome.values()].filter((o) => o.status === "done").length;
  const mb = files.reduce((a, f) => a + f.bytes, 0) / 1e6;
  log(
    `dataset (${options.databaseUrl ? "PostgreSQL" : "PGlite"}): ${files.length} files (longest Ogg Vorbis recordings of the evaluation set, ${mb.toFixed(1)} MB, ${(seconds / 60).toFixed(1)} min of audio); ${done}/${files.length} done, full analysis on the worker pool`,
  );
  log(
    `import took ${(importMs / 1000).toFixed(1)} s; light GET /api/v1/genres at ${rate}/s; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  const row = (label: string, r: { latencies: number[]; errors: string[] }) =>
    log(
      `  ${label.padEnd(22)} n=${String(r.latencies.length).padStart(5)}  p50 ${pct(r.latencies, 50).toFixed(1).padStart(6)} ms  p99 ${pct(r.latencies, 99).toFixed(1).padStart(7)} ms  max ${(r.latencies.at(-1) ?? NaN).toFixed(1).padStart(7)} ms  errors ${r.errors.length}`,
    );
  row("idle", idle);
  row("during the import", busy);
  const eld = (label: string, d: { p50: number; p99: number; max: number }) =>
    log(
      `  server event-loop delay, ${label.padEnd(18)} p50 ${d.p50.toFixed(1).padStart(6)} ms  p99 ${d.p99.toFixed(1).padStart(7)} ms  max ${d.max.toFixed(1).padStart(7)} ms`,
    );
  eld("idle", idleDelay);
  eld("during the import", busyDelay);
  const ratio = pct(busy.latencies, 99) / pct(idle.latencies, 99);
  const errors = idle.errors.length + busy.errors.length;
  log(
    `API p99 during import / idle (${options.databaseUrl ? "PostgreSQL" : "PGlite"}): ${ratio.toFixed(2)}× (target ≤ 2×) ${ratio <= 2 ? "met" : "NOT met"}`,
  );
  log(
    `connection errors: ${errors}${errors ? ` (${[...new Set([...idle.errors, ...busy.errors])].join(", ")})` : ""} (target 0) ${errors === 0 ? "met" : "NOT met"}`,
  );

  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await rm(dir, { recursive: true, force: true });
  if (admin) {
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
  return { ratio, errors, idle, busy, idleDelay, busyDelay };
}
