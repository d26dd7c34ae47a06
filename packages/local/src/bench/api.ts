/**
 * `npm run bench:api [-- --db pglite|postgres|both --tracks 100000 --duration 10 --warmup 2 --connections 50 --ids 1000 --rounds 1 --no-startup]`
 *
 * 1. Start-up: `npm start` → healthy /health, fresh (empty DATA_DIR / database) and warm (same again).
 * 2. Per database: a generated catalog (set-based SQL), the real app (createApp over
 *    assembleLocalRuntime, memory cache, rate limiter on with limits out of reach, silent logs)
 *    and a bare Hono app serving the app's own response bytes from memory — the same body
 *    and the same header set (security, CORS, rate limit, request id, ETag), built the
 *    cheapest way a handler can (a plain header object) — all on loopback in this process;
 *    autocannon in a child process loads one target at a time with the same connections,
 *    warm-up and duration. Printed as app/bare ratios. A second bare app sends the body with
 *    only Content-Type (the comparison before 2026-12) and is printed for reference.
 *    Each line also shows the server's CPU time per request (this process's user + system
 *    time over the run, warm-up included, and writing the run's request log, divided by its
 *    requests): the load generator shares the machine, so req/s of a light target is often
 *    the generator's limit, not the server's. The request log is flushed after every target.
 *
 * Results and their interpretation: docs/benchmarks.md.
 */
import { serve, type ServerType } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createApp } from "@jonquils/api";
import { createLogger, loadConfig, schema, type CatalogDatabase } from "@jonquils/core";
import { connectPostgres, migratePostgres } from "@jonquils/core/db/postgres";
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { migratePglite, openPglite } from "../pglite";
import { assembleLocalRuntime } from "../wiring";
import { catalogSize, generateCatalog, type CatalogSize } from "./catalog";
import { runLoad, type LoadResult } from "./load";
import { measureStartup, type StartupResult } from "./startup";

type DbKind = "pglite" | "postgres";

const ROOT = resolve(fileURLToPath(new URL("../../../..", import.meta.url)));
const LIST_PATH = "/api/v1/tracks?limit=50";
const BENCH_DB = "jonquils_bench";
const START_DB = "jonquils_bench_start";
const TARGET = { rpsRatio: 0.5, p99Ratio: 2, freshStartMs: 10_000, warmStartMs: 3_000 };

// ---------------------------------------------------------------- options

const { values: flags } = parseArgs({
  options: {
    db: { type: "string" },
    tracks: { type: "string", default: "100000" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "50" },
    ids: { type: "string", default: "1000" },
    rounds: { type: "string", default: "1" },
    "no-startup": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (flags.help) {
  process.stdout.write(
    "npm run bench:api -- [--db pglite|postgres|both] [--tracks 100000] [--duration 10] [--warmup 2] [--connections 50] [--ids 1000] [--rounds 1] [--no-startup]\n" +
      "PostgreSQL runs need DATABASE_URL (a server where the bench may create and drop databases).\n",
  );
  process.exit(0);
}

const positiveInt = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer (got ${v})\n`);
    process.exit(2);
  }
  return n;
};
const opts = {
  tracks: positiveInt("tracks", flags.tracks),
  duration: positiveInt("duration", flags.duration),
  warmup: Number(flags.warmup) >= 0 ? Number(flags.warmup) : 2,
  connections: positiveInt("connections", flags.connections),
  ids: positiveInt("ids", flags.ids),
  rounds: positiveInt("rounds", flags.rounds),
  startup: !flags["no-startup"],
};
const databaseUrl = process.env["DATABASE_URL"] || undefined;
const dbFlag = flags.db ?? (databaseUrl ? "both" : "pglite");
if (!["pglite", "postgres", "both"].includes(dbFlag)) {
  process.stderr.write(`--db must be pglite, postgres or both (got ${dbFlag})\n`);
  process.exit(2);
}
const dbs: DbKind[] = dbFlag === "both" ? ["pglite", "postgres"] : [dbFlag as DbKind];
if (dbs.includes("postgres") && !databaseUrl) {
  process.stderr.write(
    "PostgreSQL needs DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:api\n",
  );
  process.exit(2);
}

// ---------------------------------------------------------------- helpers

const out = (line = "") => process.stdout.write(`${line.trimEnd()}\n`);
const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtMs = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const fmtRatio = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const padL = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}
const summary = (samples: number[]) => {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
  };
};

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function recreateDatabase(url: string, name: string): Promise<string> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return withDatabase(url, name);
}

async function dropDatabase(url: string, name: string): Promise<void> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

interface Listening {
  server: ServerType;
  origin: string;
  /** Resolves once no request is being handled (the load generator has gone, its last requests may not have). */
  drained(maxMs?: number): Promise<void>;
}

function listen(fetch: Parameters<typeof serve>[0]["fetch"]): Promise<Listening> {
  return new Promise((resolveListen) => {
    let inFlight = 0;
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolveListen({
        server,
        origin: `http://127.0.0.1:${info.port}`,
        async drained(maxMs = 60_000) {
          const until = performance.now() + maxMs;
          while (inFlight > 0 && performance.now() < until)
            await new Promise((r) => setTimeout(r, 50));
        },
      }),
    );
    server.on("request", (_req, res: { once(event: "close", cb: () => void): unknown }) => {
      inFlight++;
      res.once("close", () => inFlight--);
    });
  });
}
const closeServer = (server: ServerType) => new Promise<void>((r) => server.close(() => r()));

/** Headers node's HTTP server adds by itself, per connection or per response. */
const NODE_HEADERS = new Set([
  "date",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
]);

/** The headers a response carried, minus those node adds: what a bare route must set to send the same bytes. */
const ownHeaders = (h: Headers): Record<string, string> => {
  const own: Record<string, string> = {};
  h.forEach((v, k) => {
    if (!NODE_HEADERS.has(k)) own[k] = v;
  });
  return own;
};

/** Size of the header block as sent (status line excluded): `name: value\r\n` per header. */
const headerBytes = (h: Headers) => {
  let n = 0;
  h.forEach((v, k) => (n += k.length + 2 + Buffer.byteLength(v) + 2));
  return n;
};

/**
 * Waits until this process has been (nearly) idle for 300 ms, at most `maxMs`: the
 * auth service hashes a dummy password (bcrypt, cost 12) in the background when it
 * is built, which would otherwise land on the first measurements.
 */
async function waitForIdle(maxMs = 8000): Promise<void> {
  const until = performance.now() + maxMs;
  while (performance.now() < until) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 300));
    const used = process.cpuUsage(cpu);
    if ((used.user + used.system) / 1000 < 0.1 * (performance.now() - t0)) return;
  }
}

async function timedGet(
  url: string,
): Promise<{ ms: number; status: number; body: string; headers: Headers }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  return { ms: performance.now() - t0, status: res.status, body, headers: res.headers };
}

// ---------------------------------------------------------------- catalog per database

interface Prepared {
  catalog: CatalogDatabase;
  size: CatalogSize & { ms: number };
  databaseUrl?: string;
  /** Removes the data; the catalog is closed before (by the runtime that owns it). */
  cleanup(): Promise<void>;
}

async function preparePglite(size: CatalogSize): Promise<Prepared> {
  const dir = await mkdtemp(join(os.tmpdir(), "jonquils-bench-"));
  const catalog = await openPglite({ dataDir: join(dir, "pgdata") });
  await migratePglite(catalog);
  const generated = await generateCatalog(
    async (q) => void (await catalog.client.exec(q)),
    async (q) => Number((await catalog.client.query<{ n: number }>(q)).rows[0]?.n ?? 0),
    size,
  );
  return {
    catalog,
    size: generated,
    async cleanup() {
      await catalog.close(); // no-op when already closed
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function preparePostgres(size: CatalogSize): Promise<Prepared> {
  const url = await recreateDatabase(databaseUrl!, BENCH_DB);
  await migratePostgres(url);
  const client = postgres(url, { max: 1, onnotice: () => {} });
  let generated: CatalogSize & { ms: number };
  try {
    generated = await generateCatalog(
      async (q) => void (await client.unsafe(q)),
      async (q) => Number((await client.unsafe(q))[0]?.["n"] ?? 0),
      size,
    );
  } finally {
    await client.end();
  }
  // The same pool as the local wiring (openLocalCatalog → connectPostgres defaults).
  const catalog = connectPostgres(url);
  return {
    catalog,
    size: generated,
    databaseUrl: url,
    async cleanup() {
      await dropDatabase(databaseUrl!, BENCH_DB);
    },
  };
}

// ---------------------------------------------------------------- one database: cold figures and load runs

interface Row {
  name: string;
  target: "app" | "bare";
  result: LoadResult;
  /** Server CPU time (user + system) per request, µs; median over rounds. */
  cpuUs: number;
  /** Bare row this app row is compared with. */
  vs?: string;
  /** Reference row (the Content-Type-only bare route) also compared with, not a target. */
  ref?: string;
}

interface DbReport {
  db: DbKind;
  size: CatalogSize & { ms: number };
  listBytes: number;
  trackBytes: { min: number; avg: number; max: number };
  appHeaderBytes: number;
  bareHeaderBytes: number;
  plainHeaderBytes: number;
  cold: {
    firstList: number;
    secondList: number;
    listMiss: ReturnType<typeof summary>;
    trackMiss: ReturnType<typeof summary>;
    trackHit: ReturnType<typeof summary>;
  };
  rows: Row[];
}

async function benchDatabase(db: DbKind): Promise<DbReport> {
  out(
    `\n== ${db} == (load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")})`,
  );
  const size = catalogSize(opts.tracks);
  out(
    `generating ${fmtInt(size.tracks)} tracks, ${fmtInt(size.albums)} albums, ${fmtInt(size.artists)} artists…`,
  );
  const prepared = db === "pglite" ? await preparePglite(size) : await preparePostgres(size);
  out(
    `catalog: ${fmtInt(prepared.size.tracks)} tracks, ${fmtInt(prepared.size.albums)} albums, ${fmtInt(prepared.size.artists)} artists (generated and analysed in ${(prepared.size.ms / 1000).toFixed(1)} s)`,
  );

  const dataDir = await mkdtemp(join(os.tmpdir(), "jonquils-bench-data-"));
  const jwt = randomBytes(32).toString("hex");
  const config = loadConfig({
    NODE_ENV: "production",
    LOG_LEVEL: "silent",
    DATA_DIR: dataDir,
    JWT_SECRET: jwt,
    SEED_DEMO: "false",
    // The limiter runs on every request but never says no.
    RATE_LIMIT_IP_PER_MINUTE: "1000000000",
    RATE_LIMIT_USER_PER_MINUTE: "1000000000",
    ...(prepared.databaseUrl ? { DATABASE_URL: prepared.databaseUrl } : {}),
  });
  const log = createLogger("silent");
  const runtime = assembleLocalRuntime(config, prepared.catalog, {
    log,
    publicUrl: "http://127.0.0.1",
  });
  const app = createApp({ ...runtime, clientIp: (c) => getConnInfo(c).remote.address });
  const appServer = await listen(app.fetch);
  await waitForIdle();

  try {
    // Cold: the first request of the process is a cache miss through a cold JIT.
    const first = await timedGet(appServer.origin + LIST_PATH);
    if (first.status !== 200)
      throw new Error(`GET ${LIST_PATH} → ${first.status}: ${first.body.slice(0, 300)}`);
    const second = await timedGet(appServer.origin + LIST_PATH);
    const listBody = first.body;
    if (second.body !== listBody) throw new Error("second list response differs from the first");
    const listMissTimes: number[] = [];
    for (let k = 1; k <= 20; k++)
      listMissTimes.push(
        (await timedGet(`${appServer.origin}/api/v1/tracks?limit=50&offset=${k * 50}`)).ms,
      );

    // Ids in random order: the first `opts.ids` are the hot set, the rest are only ever asked once.
    const allIds = (
      await prepared.catalog.db
        .select({ id: schema.tracks.id })
        .from(schema.tracks)
        .orderBy(sql`random()`)
    ).map((r) => r.id);
    const hotIds = allIds.slice(0, opts.ids);
    const coldIds = allIds.slice(opts.ids);
    const trackBodies = new Map<string, string>();
    const trackHeaders = new Map<string, Record<string, string>>();
    const trackMissTimes: number[] = [];
    for (const id of hotIds) {
      const r = await timedGet(`${appServer.origin}/api/v1/tracks/${id}`);
      if (r.status !== 200) throw new Error(`GET /api/v1/tracks/${id} → ${r.status}`);
      trackMissTimes.push(r.ms);
      trackBodies.set(id, r.body);
    }
    const trackHitTimes: number[] = [];
    for (const id of hotIds.slice(0, 200))
      trackHitTimes.push((await timedGet(`${appServer.origin}/api/v1/tracks/${id}`)).ms);
    // The headers of a cache hit (what the load sees), per id: its ETag differs.
    for (const id of hotIds)
      trackHeaders.set(
        id,
        ownHeaders((await timedGet(`${appServer.origin}/api/v1/tracks/${id}`)).headers),
      );
    const trackSizes = [...trackBodies.values()].map((b) => Buffer.byteLength(b));

    // The bare route: the same bytes from memory — body and header set (the request id and
    // rate-limit values frozen at one response's), as one plain header object per response.
    const listHeaders = ownHeaders(second.headers);
    const bare = new Hono();
    bare.get("/api/v1/tracks", () => new Response(listBody, { status: 200, headers: listHeaders }));
    bare.get("/api/v1/tracks/:id", (c) => {
      const id = c.req.param("id");
      const body = trackBodies.get(id);
      return body === undefined
        ? c.notFound()
        : new Response(body, { status: 200, headers: trackHeaders.get(id)! });
    });
    const bareServer = await listen(bare.fetch);
    const bareCheck = await timedGet(bareServer.origin + LIST_PATH);
    if (bareCheck.body !== listBody) throw new Error("bare route does not serve the app's bytes");
    if (headerBytes(bareCheck.headers) !== headerBytes(second.headers))
      throw new Error("bare route does not send the app's headers");
    // For reference: the same bodies with only a Content-Type header.
    const plain = new Hono();
    plain.get("/api/v1/tracks", (c) =>
      c.body(listBody, 200, { "Content-Type": "application/json" }),
    );
    plain.get("/api/v1/tracks/:id", (c) => {
      const body = trackBodies.get(c.req.param("id"));
      return body === undefined
        ? c.notFound()
        : c.body(body, 200, { "Content-Type": "application/json" });
    });
    const plainServer = await listen(plain.fetch);
    const plainCheck = await timedGet(plainServer.origin + LIST_PATH);

    const runs = new Map<
      string,
      { target: "app" | "bare"; vs?: string; ref?: string; results: LoadResult[]; cpu: number[] }
    >();
    const load = async (
      name: string,
      target: "app" | "bare",
      server: Listening,
      paths: string[],
      vs?: string,
      note?: (r: LoadResult) => string,
      ref?: string,
    ) => {
      const cpu0 = process.cpuUsage();
      const result = await runLoad({
        origin: server.origin,
        paths,
        connections: opts.connections,
        durationSeconds: opts.duration,
        warmupSeconds: opts.warmup,
      });
      await server.drained(); // a backlog of slow requests must not spill into the next run
      // Nor the app's request log: its batches are written to the analytics store in this
      // process, and would land on the next target's CPU time and throughput. Counted here.
      await runtime.ports.analytics.queue.flush();
      await waitForIdle(5000);
      const cpu = process.cpuUsage(cpu0);
      // The warm-up ran at about the measured rate: requests over the whole run, estimated.
      const served = result.requests * ((opts.duration + opts.warmup) / opts.duration);
      const cpuUs = served > 0 ? (cpu.user + cpu.system) / served : NaN;
      const problems = result.errors + result.non2xx;
      out(
        `  ${pad(name, 36)} ${padL(fmtInt(result.rps), 7)} req/s  p50 ${padL(fmtMs(result.p50), 5)} ms  p99 ${padL(fmtMs(result.p99), 6)} ms  cpu ${padL(cpuUs.toFixed(1), 5)} µs/req` +
          (note ? `  ${note(result)}` : "") +
          (problems ? `  !! ${result.errors} errors, ${result.non2xx} non-2xx` : ""),
      );
      const entry = runs.get(name) ?? {
        target,
        ...(vs ? { vs } : {}),
        ...(ref ? { ref } : {}),
        results: [],
        cpu: [],
      };
      entry.results.push(result);
      entry.cpu.push(cpuUs);
      runs.set(name, entry);
    };

    const listBare = "bare  GET /tracks?limit=50";
    const listPlain = "bare  GET /tracks?limit=50 Content-Type only";
    const listApp = "app   GET /tracks?limit=50";
    const idBare = `bare  GET /tracks/{id} (${hotIds.length} ids)`;
    const idPlain = `bare  GET /tracks/{id} Content-Type only`;
    const idApp = `app   GET /tracks/{id} (${hotIds.length} ids)`;
    const hotPaths = hotIds.map((id) => `/api/v1/tracks/${id}`);
    out(
      `load: ${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s per target, autocannon in a child process, one target at a time` +
        (opts.rounds > 1 ? `, ${opts.rounds} rounds of each bare/app pair (medians reported)` : ""),
    );
    for (let round = 1; round <= opts.rounds; round++) {
      if (opts.rounds > 1) out(`  round ${round} (load average ${os.loadavg()[0]!.toFixed(2)})`);
      await load(listBare, "bare", bareServer, [LIST_PATH]);
      await load(listPlain, "bare", plainServer, [LIST_PATH]);
      await load(listApp, "app", appServer, [LIST_PATH], listBare, undefined, listPlain);
      await load(idBare, "bare", bareServer, hotPaths);
      await load(idPlain, "bare", plainServer, hotPaths);
      await load(idApp, "app", appServer, hotPaths, idBare, undefined, idPlain);
    }
    // Every request a cache miss: the database path under load (not part of the targets).
    const distinct = (r: LoadResult) => `(${fmtInt(r.pathsUsed)} distinct keys)`;
    await load(
      "app   GET /tracks/{id} all misses",
      "app",
      appServer,
      coldIds.map((id) => `/api/v1/tracks/${id}`),
      idBare,
      distinct,
    );
    const offsets = Array.from(
      { length: 99_000 },
      (_, i) => `/api/v1/tracks?limit=50&offset=${1001 + i}`,
    );
    await load(
      "app   GET /tracks?limit=50 all misses",
      "app",
      appServer,
      offsets,
      listBare,
      (r) => `(offsets 1,001–${fmtInt(1000 + r.pathsUsed)})`,
    );

    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const mid = Math.floor(s.length / 2);
      return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
    };
    const rows: Row[] = [...runs].map(([name, { target, vs, ref, results, cpu }]) => {
      const first = results[0]!;
      const result: LoadResult =
        results.length === 1
          ? first
          : {
              ...first,
              rps: median(results.map((r) => r.rps)),
              p50: median(results.map((r) => r.p50)),
              p90: median(results.map((r) => r.p90)),
              p99: median(results.map((r) => r.p99)),
              maxMs: Math.max(...results.map((r) => r.maxMs)),
            };
      return {
        name,
        target,
        result,
        cpuUs: median(cpu),
        ...(vs ? { vs } : {}),
        ...(ref ? { ref } : {}),
      };
    });

    await closeServer(bareServer.server);
    await closeServer(plainServer.server);
    return {
      db,
      size: prepared.size,
      listBytes: Buffer.byteLength(listBody),
      trackBytes: {
        min: Math.min(...trackSizes),
        avg: trackSizes.reduce((a, b) => a + b, 0) / trackSizes.length,
        max: Math.max(...trackSizes),
      },
      appHeaderBytes: headerBytes(second.headers),
      bareHeaderBytes: headerBytes(bareCheck.headers),
      plainHeaderBytes: headerBytes(plainCheck.headers),
      cold: {
        firstList: first.ms,
        secondList: second.ms,
        listMiss: summary(listMissTimes),
        trackMiss: summary(trackMissTimes),
        trackHit: summary(trackHitTimes),
      },
      rows,
    };
  } finally {
    await closeServer(appServer.server);
    await runtime.close(); // closes the catalog too
    await prepared.cleanup().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- start-up

interface StartupReport {
  db: DbKind;
  fresh: StartupResult;
  warm: StartupResult;
}

async function benchStartup(db: DbKind): Promise<StartupReport> {
  const dataDir = await mkdtemp(join(os.tmpdir(), "jonquils-bench-start-"));
  try {
    const env: Record<string, string> = { DATA_DIR: dataDir };
    if (db === "postgres") env["DATABASE_URL"] = await recreateDatabase(databaseUrl!, START_DB);
    const fresh = await measureStartup(ROOT, env);
    const warm = await measureStartup(ROOT, env);
    return { db, fresh, warm };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    if (db === "postgres") await dropDatabase(databaseUrl!, START_DB).catch(() => {});
  }
}

// ---------------------------------------------------------------- report

const mark = (ok: boolean) => (ok ? "met" : "NOT MET");

function printReport(reports: DbReport[], startups: StartupReport[]) {
  out("\n================ results ================");
  for (const r of reports) {
    out(
      `\n${r.db}: ${fmtInt(r.size.tracks)} tracks / ${fmtInt(r.size.albums)} albums / ${fmtInt(r.size.artists)} artists`,
    );
    out(
      `  response sizes: list (50 tracks) ${fmtInt(r.listBytes)} B body; track ${fmtInt(r.trackBytes.min)}–${fmtInt(r.trackBytes.max)} B (avg ${fmtInt(r.trackBytes.avg)}); headers app ${r.appHeaderBytes} B, bare ${r.bareHeaderBytes} B (Content-Type only: ${r.plainHeaderBytes} B)`,
    );
    out(
      `  cold: first request after the server started (list, cache miss) ${fmtMs(r.cold.firstList)} ms, then cache hit ${fmtMs(r.cold.secondList)} ms`,
    );
    out(
      `        list cache miss, sequential (n=${r.cold.listMiss.n}): p50 ${fmtMs(r.cold.listMiss.p50)} ms, max ${fmtMs(r.cold.listMiss.max)} ms`,
    );
    out(
      `        track cache miss, sequential (n=${r.cold.trackMiss.n}): p50 ${fmtMs(r.cold.trackMiss.p50)} ms, p99 ${fmtMs(r.cold.trackMiss.p99)} ms; hit (n=${r.cold.trackHit.n}): p50 ${fmtMs(r.cold.trackHit.p50)} ms`,
    );
    out(
      `  ${pad("target", 44)} ${padL("req/s", 7)} ${padL("p50 ms", 7)} ${padL("p99 ms", 7)} ${padL("req/s ratio", 12)} ${padL("p99 ratio", 10)} ${padL("cpu µs/req", 11)}`,
    );
    for (const row of r.rows) {
      const base = row.vs ? r.rows.find((b) => b.name === row.vs) : undefined;
      const rpsRatio = base ? row.result.rps / base.result.rps : NaN;
      const p99Ratio = base ? row.result.p99 / base.result.p99 : NaN;
      out(
        `  ${pad(row.name, 44)} ${padL(fmtInt(row.result.rps), 7)} ${padL(fmtMs(row.result.p50), 7)} ${padL(fmtMs(row.result.p99), 7)} ${padL(base ? fmtRatio(rpsRatio) : "", 12)} ${padL(base ? fmtRatio(p99Ratio) : "", 10)} ${padL(row.cpuUs.toFixed(1), 11)}`,
      );
    }
  }

  out(
    "\ntargets (steady state, cache warm): app ≥ 50 % of bare throughput, app p99 ≤ 2× bare p99 (autocannon latencies have 1 ms resolution);\n" +
      "bare sends the app's body and header set; [Content-Type-only bare, for reference, not a target: req/s and p99 ratios]",
  );
  for (const r of reports) {
    for (const row of r.rows.filter((x) => x.vs && !x.name.includes("misses"))) {
      const base = r.rows.find((b) => b.name === row.vs)!;
      const rpsRatio = row.result.rps / base.result.rps;
      const p99Ratio = row.result.p99 / base.result.p99;
      const ref = row.ref ? r.rows.find((b) => b.name === row.ref) : undefined;
      const vsRef = ref
        ? `  [${fmtRatio(row.result.rps / ref.result.rps)}×, ${fmtRatio(row.result.p99 / ref.result.p99)}×]`
        : "";
      out(
        `  ${pad(r.db, 9)} ${pad(row.name.replace(/^app\s+/, ""), 30)} throughput ${fmtInt(row.result.rps)}/${fmtInt(base.result.rps)} = ${fmtRatio(rpsRatio)}× ${pad(`(${mark(rpsRatio >= TARGET.rpsRatio)})`, 10)} p99 ${fmtMs(row.result.p99)}/${fmtMs(base.result.p99)} ms = ${fmtRatio(p99Ratio)}× ${pad(`(${mark(p99Ratio <= TARGET.p99Ratio)})`, 10)} cpu ${row.cpuUs.toFixed(1)}/${base.cpuUs.toFixed(1)} µs/req${vsRef}`,
      );
    }
  }

  if (startups.length) {
    out("\nstart-up: `npm start` → 200 from /health (targets: fresh ≤ 10 s, warm ≤ 3 s)");
    for (const s of startups) {
      const line = (label: string, x: StartupResult, limit: number) =>
        `  ${pad(s.db, 9)} ${pad(label, 6)} ${padL((x.healthyMs / 1000).toFixed(2), 6)} s  (process's own startupMs ${x.selfReportedMs ?? "?"})  ${mark(x.healthyMs <= limit)}`;
      out(line("fresh", s.fresh, TARGET.freshStartMs));
      out(line("warm", s.warm, TARGET.warmStartMs));
    }
  }
}

// ---------------------------------------------------------------- main

async function main() {
  let commit = "?";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
  } catch {
    // not a git checkout
  }
  const cpus = os.cpus();
  out(`JONQUILS API benchmark — ${new Date().toISOString()}`);
  out(
    `machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; commit ${commit}`,
  );
  out(
    `options: --db ${dbFlag} --tracks ${opts.tracks} --duration ${opts.duration} --warmup ${opts.warmup} --connections ${opts.connections} --ids ${opts.ids} --rounds ${opts.rounds}${opts.startup ? "" : " --no-startup"}`,
  );
  if (!databaseUrl)
    out(
      "(PostgreSQL skipped: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to bench it too; the bench creates and drops its own databases there.)",
    );

  const startups: StartupReport[] = [];
  if (opts.startup) {
    for (const db of dbs) {
      out(`\nstart-up (${db}): npm start, fresh then warm…`);
      const s = await benchStartup(db);
      out(
        `  fresh ${(s.fresh.healthyMs / 1000).toFixed(2)} s, warm ${(s.warm.healthyMs / 1000).toFixed(2)} s`,
      );
      startups.push(s);
    }
  }

  const reports: DbReport[] = [];
  for (const db of dbs) reports.push(await benchDatabase(db));
  printReport(reports, startups);
  out(
    `\nload average after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
