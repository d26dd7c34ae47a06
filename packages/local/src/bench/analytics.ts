/**
 * `npm run bench:analytics [-- --events 10000000 --batch 20000 --samples 200 --users 20000 --tracks 20000 --artists 2000]`
 *
 * chDB (the embedded analytics store) in a temporary folder, and a PGlite catalog holding the
 * users, artists and tracks the generated events point at.
 *
 * 1. Ingest: N generated listen events through the real path (record → batching queue →
 *    store.insert, JSONCompactEachRow, materialized views) next to a raw batch insert of the
 *    same number of events (build rows, encode, insert batch by batch in a loop).
 *    Target: ≥ 200,000 events/s and within 20 % of raw.
 * 2. Each analytics endpoint through the app (HTTP handling, auth, validation, PostgreSQL
 *    lookups, JSON) next to its raw queries run straight on the store.
 *    Target: ≤ 1.2× raw and p95 under 50 ms.
 */
import { createApp } from "@jonquils/api";
import { createLogger, loadConfig } from "@jonquils/core";
import { periodBounds } from "@jonquils/core/analytics/index";
import { registrationCounts } from "@jonquils/core/analytics/reads/platform";
import { encodeRows, listenRecord, TABLE_COLUMNS } from "@jonquils/core/analytics/records";
import * as Q from "@jonquils/core/analytics/sql/queries.sql";
import type { AnalyticsStore } from "@jonquils/core/analytics/store";
import { combineAnalytics, createStoreQueue } from "@jonquils/core/analytics/wiring";
import { createAccessTokens } from "@jonquils/core/auth/tokens";
import { sql } from "drizzle-orm";
import { Session } from "chdb";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openChdbStore } from "../analytics/chdb";
import { migratePglite, openPglite } from "../pglite";
import { assembleLocalRuntime } from "../wiring";

const { values: flags } = parseArgs({
  options: {
    events: { type: "string", default: "10000000" },
    batch: { type: "string", default: "20000" },
    samples: { type: "string", default: "200" },
    users: { type: "string", default: "20000" },
    tracks: { type: "string", default: "20000" },
    artists: { type: "string", default: "2000" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    "npm run bench:analytics -- [--events 10000000] [--batch 20000] [--samples 200] [--users 20000] [--tracks 20000] [--artists 2000]\n",
  );
  process.exit(0);
}
const int = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer (got ${v})\n`);
    process.exit(2);
  }
  return n;
};
const opts = {
  events: int("events", flags.events),
  batch: int("batch", flags.batch),
  samples: int("samples", flags.samples),
  users: int("users", flags.users),
  tracks: int("tracks", flags.tracks),
  artists: int("artists", flags.artists),
};
const TARGET = { eventsPerSecond: 200_000, ingestRatio: 0.8, endpointRatio: 1.2, p95Ms: 50 };

const out = (line = "") => process.stdout.write(`${line.trimEnd()}\n`);
const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtMs = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const padL = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const tick = () => new Promise<void>((r) => setImmediate(r));

/** Deterministic generator (mulberry32), so both ingest runs see the same distribution. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLATFORMS = ["web", "ios", "android", "desktop"];
const DEVICES = ["desktop", "mobile", "tablet", "speaker"];

async function main() {
  const dir = await mkdtemp(join(os.tmpdir(), "jonquils-bench-analytics-"));
  out(`# bench:analytics — ${new Date().toISOString()}`);
  out(
    `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  out(
    `dataset: ${fmtInt(opts.events)} listen events per ingest run (×2: queue and raw), ${fmtInt(opts.users)} users, ${fmtInt(opts.tracks)} tracks, ${fmtInt(opts.artists)} artists, batch ${fmtInt(opts.batch)}`,
  );

  // ------------------------------------------------------------ catalog
  const catalog = await openPglite({ dataDir: join(dir, "pgdata") });
  await migratePglite(catalog);
  const db = catalog.db;
  await db.execute(sql`insert into users (username, email, password_hash)
    select 'u' || g, 'u' || g || '@bench.test', 'x' from generate_series(1, ${opts.users}) g`);
  await db.execute(sql`insert into artists (name, name_key)
    select 'Artist ' || g, 'artist ' || g from generate_series(1, ${opts.artists}) g`);
  await db.execute(sql`insert into tracks (artist_id, title, duration_ms, genre_id)
    select a.id, 'Track ' || g, 180000 + (g % 120) * 1000, 1 + g % 10
    from generate_series(1, ${opts.tracks}) g
    join (select id, row_number() over () as n from artists) a on a.n = 1 + g % ${opts.artists}`);
  const rowsOf = <T>(r: unknown) => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
  const userIds = rowsOf<{ id: string }>(await db.execute(sql`select id from users`)).map(
    (r) => r.id,
  );
  const trackRows = rowsOf<{ id: string; artist_id: string; genre_id: number }>(
    await db.execute(sql`select id, artist_id, genre_id from tracks`),
  );
  const artistIds = [...new Set(trackRows.map((t) => t.artist_id))];

  // ------------------------------------------------------------ analytics store
  const store = await openChdbStore(join(dir, "chdb"));
  await store.migrate();
  const [version] = await store.select<{ v: string }>("SELECT version() AS v");
  out(`analytics store: chDB (ClickHouse ${version?.v ?? "?"}, in-process)`);
  const now = Date.now();
  const span = 90 * 86_400_000;
  /** Listen events as the API builds them, over the last 90 days, skewed towards popular tracks. */
  function* generate(seed: number, count: number, from = 0, total = count) {
    const r = rng(seed);
    for (let i = from; i < from + count; i++) {
      const t = trackRows[Math.floor(r() ** 2 * trackRows.length)]!;
      const completion = Math.round(r() * 10000) / 100;
      yield listenRecord({
        // In arrival order, as a live service sends them: each batch covers a few hours.
        at: now - span + Math.floor(((i + r()) / total) * span),
        trackId: t.id,
        userId: userIds[Math.floor(r() * userIds.length)]!,
        artistId: t.artist_id,
        genreId: t.genre_id,
        durationPlayedMs: Math.floor(completion * 1800),
        completionPercentage: completion,
        platform: PLATFORMS[Math.floor(r() * 4)]!,
        deviceType: DEVICES[Math.floor(r() * 4)]!,
      });
    }
  }

  // ------------------------------------------------------------ 1. ingest
  out();
  out("## ingest");
  // Raw: rows → JSONCompactEachRow → one insert per batch, straight on the chDB session.
  // Queue: every event enqueued one by one, as the API does; the producer yields between batches.
  // The two alternate in rounds over the same stretch of time, so both see the same machine load.
  const raw = new Session(join(dir, "chdb"));
  const log = createLogger("silent");
  const baseConfig = loadConfig({
    LOG_LEVEL: "silent",
    DATA_DIR: dir,
    ANALYTICS_BATCH_SIZE: String(opts.batch),
    ANALYTICS_FLUSH_MS: "1000",
    // Waiting and in-flight events: 8 batches may wait while two coalesced ones (4 batches each) are out.
    ANALYTICS_BUFFER_MAX: String(Math.max(opts.batch * 16, 1000)),
  });
  const queue = createStoreQueue(store, baseConfig, log);
  const rounds = Math.max(1, Math.min(10, Math.floor(opts.events / opts.batch)));
  let rawMs = 0;
  let queueMs = 0;
  // CPU time of the whole process (chDB's threads included): the machine is shared, and CPU
  // per event is what the wall clock cannot show under other people's load.
  let rawCpuUs = 0;
  let queueCpuUs = 0;
  const cpuUs = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  let c = 0;
  let t = 0;
  for (let round = 0; round < rounds; round++) {
    const from = Math.floor((round * opts.events) / rounds);
    const count = Math.floor(((round + 1) * opts.events) / rounds) - from;
    t = performance.now();
    c = cpuUs();
    let batch: (readonly unknown[])[] = [];
    const insertRaw = () =>
      raw.insert({
        table: "track_analytics",
        values: Buffer.from(encodeRows(batch)),
        format: "JSONCompactEachRow",
        columns: TABLE_COLUMNS.track_analytics,
      });
    for (const rec of generate(1 + round, count, from, opts.events)) {
      batch.push(rec.values);
      if (batch.length === opts.batch) {
        await insertRaw();
        batch = [];
      }
    }
    if (batch.length > 0) await insertRaw();
    rawMs += performance.now() - t;
    rawCpuUs += cpuUs() - c;

    t = performance.now();
    c = cpuUs();
    let n = 0;
    for (const rec of generate(101 + round, count, from, opts.events)) {
      queue.enqueue(rec);
      if (++n % opts.batch === 0) {
        // Back-pressure for the bench only: keep the buffer under the spill threshold.
        while (queue.stats().buffered > opts.batch * 4) await new Promise((r) => setTimeout(r, 1));
        await tick();
      }
    }
    await queue.flush();
    queueMs += performance.now() - t;
    queueCpuUs += cpuUs() - c;
  }
  const rawRate = opts.events / (rawMs / 1000);
  const queueRate = opts.events / (queueMs / 1000);
  const stats = queue.stats();
  await queue.close();
  out(
    `  raw batch insert         ${padL(fmtInt(rawRate), 10)} events/s  (${(rawMs / 1000).toFixed(1)} s, ${rounds} rounds alternating with the queue)`,
  );
  out(
    `  queue → store (the API)  ${padL(fmtInt(queueRate), 10)} events/s  (${(queueMs / 1000).toFixed(1)} s)  ${(queueRate / rawRate).toFixed(2)}× raw  [${stats.batches} inserts (${fmtInt(stats.sent / Math.max(1, stats.batches))} events each), ${stats.spilled} spilled, ${stats.dropped} dropped]`,
  );
  const cores = os.cpus().length;
  const perEvent = (us: number) => us / opts.events;
  out(
    `  CPU an event (generating + encoding + inserting + the views + merges meanwhile): raw ${perEvent(rawCpuUs).toFixed(2)} µs, queue ${perEvent(queueCpuUs).toFixed(2)} µs → ${cores} idle cores would take ≈ ${fmtInt((cores * 1e6) / perEvent(queueCpuUs))} events/s through the queue`,
  );
  // What one enqueue costs the request that makes it, and one batch's encoding on the event loop.
  const probe = createStoreQueue(
    { ...store, insert: () => Promise.resolve() },
    { ...baseConfig, ANALYTICS_BATCH_SIZE: 5000 },
    log,
  );
  const sample = [...generate(3, 5000)];
  t = performance.now();
  for (const rec of sample) probe.enqueue(rec);
  const enqueueUs = ((performance.now() - t) * 1000) / sample.length;
  await probe.close();
  t = performance.now();
  encodeRows(sample.map((r) => r.values));
  const encodeMs = performance.now() - t;
  out(
    `  enqueue: ${enqueueUs.toFixed(2)} µs an event; encoding a 5,000-event batch (default size) blocks the event loop ${fmtMs(encodeMs)} ms; inserts run off the loop (chDB async)`,
  );
  const totalRows = (
    await store.select<{ n: number }>("SELECT count() AS n FROM track_analytics")
  )[0]!.n;
  out(`  rows in track_analytics: ${fmtInt(totalRows)} (expected ${fmtInt(opts.events * 2)})`);
  const ingestOk = queueRate >= TARGET.eventsPerSecond && queueRate / rawRate >= TARGET.ingestRatio;
  out(
    `  target ≥ ${fmtInt(TARGET.eventsPerSecond)} events/s and ≥ ${TARGET.ingestRatio}× raw: ${ingestOk ? "met" : "NOT met"}`,
  );
  raw.close();

  // Reads are measured in steady state: after the background merges the inserts started.
  t = performance.now();
  for (let quiet = 0; quiet < 3 && performance.now() - t < 180_000;) {
    const [m] = await store.select<{ n: number }>("SELECT count() AS n FROM system.merges");
    quiet = m!.n === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const parts = await store.select<{ table: string; parts: number; rows: number; bytes: number }>(
    `SELECT table, count() AS parts, sum(rows) AS rows, sum(bytes_on_disk) AS bytes
     FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table ORDER BY table`,
  );
  out(
    `  after merges (${((performance.now() - t) / 1000).toFixed(0)} s): ` +
      parts
        .map(
          (p) =>
            `${p.table} ${fmtInt(p.rows)} rows/${p.parts} parts/${(p.bytes / 1e6).toFixed(0)} MB`,
        )
        .join(", "),
  );

  // ------------------------------------------------------------ 2. endpoints
  out();
  out(
    "## endpoints (sequential requests, random ids; raw = the same queries straight on chDB, and on PGlite the catalog query /platform makes)",
  );
  const jwt = randomBytes(32).toString("hex");
  const config = loadConfig({
    LOG_LEVEL: "silent",
    DATA_DIR: dir,
    JWT_SECRET: jwt,
    RATE_LIMIT_ENABLED: "false",
  });
  const analytics = combineAnalytics(store, createStoreQueue(store, config, log));
  const runtime = assembleLocalRuntime(config, catalog, {
    log,
    publicUrl: "http://127.0.0.1",
    analytics,
  });
  const app = createApp({ ...runtime, clientIp: () => "127.0.0.1" });
  const adminId = userIds[0]!;
  const { token } = await createAccessTokens(jwt, 3600).issue({ userId: adminId, role: "admin" });
  const headers = { authorization: `Bearer ${token}` };
  const pick = <T>(xs: T[], r: () => number) => xs[Math.floor(r() * xs.length)]!;
  const period = "month";
  const b = periodBounds(period);
  const endpoints: {
    name: string;
    path: (r: () => number) => { path: string; params: Record<string, string | number> };
    queries: string[];
    /** The catalog (PostgreSQL) query the endpoint runs beside its ClickHouse ones. */
    catalog?: () => Promise<unknown>;
  }[] = [
    {
      name: "GET /analytics/user/{id}",
      path: (r) => {
        const id = pick(userIds, r);
        return {
          path: `/api/v1/analytics/user/${id}?period=${period}`,
          params: { user: id, from: b.from, limit: 10 },
        };
      },
      queries: [Q.USER_SUMMARY, Q.USER_DAYS],
    },
    {
      name: "GET /analytics/track/{id}",
      path: (r) => {
        const id = pick(trackRows, r).id;
        return {
          path: `/api/v1/analytics/track/${id}?period=${period}`,
          params: { track: id, ...b },
        };
      },
      queries: [Q.TRACK_DAILY, Q.TRACK_SOURCES],
    },
    {
      name: "GET /analytics/artist/{id}",
      path: (r) => {
        const id = pick(artistIds, r);
        return {
          path: `/api/v1/analytics/artist/${id}?period=${period}`,
          params: { artist: id, ...b, limit: 10 },
        };
      },
      queries: [Q.ARTIST_DAILY, Q.ARTIST_BREAKDOWN],
    },
    {
      name: "GET /analytics/platform",
      path: () => ({
        path: `/api/v1/analytics/platform?period=${period}`,
        params: { ...b, limit: 20 },
      }),
      queries: [Q.PLATFORM_DAILY, Q.PLATFORM_ZERO_RESULT_QUERIES, Q.PLATFORM_ROUTES],
      // Sign-ups come from the catalog: 20,000 bench users, all in the period.
      catalog: () => registrationCounts(db, Date.now(), period),
    },
  ];
  const runRaw = (
    s: AnalyticsStore,
    queries: string[],
    params: Record<string, string | number>,
    catalogQuery?: () => Promise<unknown>,
  ) =>
    Promise.all([
      ...queries.map((q) => s.select(q, { ...params, limit: params["limit"] ?? 100 })),
      ...(catalogQuery ? [catalogQuery()] : []),
    ]);
  let endpointsOk = true;
  for (const e of endpoints) {
    const appTimes: number[] = [];
    const rawTimes: number[] = [];
    const r = rng(7);
    for (let i = 0; i < 20; i++) {
      const { path, params } = e.path(r);
      await app.request(path, { headers });
      await runRaw(store, e.queries, params, e.catalog);
    }
    // Interleaved, so both see the same machine load.
    for (let i = 0; i < opts.samples; i++) {
      const { path, params } = e.path(r);
      let s = performance.now();
      await runRaw(store, e.queries, params, e.catalog);
      rawTimes.push(performance.now() - s);
      s = performance.now();
      const res = await app.request(path, { headers });
      const text = await res.text();
      appTimes.push(performance.now() - s);
      if (res.status !== 200) throw new Error(`${path} → ${res.status} ${text.slice(0, 200)}`);
    }
    appTimes.sort((x, y) => x - y);
    rawTimes.sort((x, y) => x - y);
    const ratio50 = pct(appTimes, 50) / pct(rawTimes, 50);
    const ratio95 = pct(appTimes, 95) / pct(rawTimes, 95);
    const ok = ratio95 <= TARGET.endpointRatio && pct(appTimes, 95) < TARGET.p95Ms;
    endpointsOk &&= ok;
    out(
      `  ${pad(e.name, 28)} app p50 ${padL(fmtMs(pct(appTimes, 50)), 6)} ms p95 ${padL(fmtMs(pct(appTimes, 95)), 6)} ms | raw p50 ${padL(fmtMs(pct(rawTimes, 50)), 6)} ms p95 ${padL(fmtMs(pct(rawTimes, 95)), 6)} ms | ${ratio50.toFixed(2)}× / ${ratio95.toFixed(2)}× ${ok ? "" : " !!"}`,
    );
  }
  out(
    `  target ≤ ${TARGET.endpointRatio}× raw at p95 and p95 < ${TARGET.p95Ms} ms: ${endpointsOk ? "met" : "NOT met"}`,
  );

  await runtime.close();
  await rm(dir, { recursive: true, force: true });
}

await main();
