/**
 * `npm run bench:search [-- --db pglite|postgres --tracks 100000 --queries 300 --warmup 30]`
 *
 * A generated catalog (the same set-based SQL as bench:api), indexed by the configured search
 * adapter (the embedded one; OpenSearch when OPENSEARCH_URL is set), then one-typo queries:
 * - latency: p50/p95 of GET /api/v1/search/tracks over loopback HTTP (the real app: validation,
 *   middleware, JSON) next to the raw engine query (the port's search() called directly), run
 *   alternately with the same queries; ratio target ≤ 1.3;
 * - recall@10 of one-typo queries (target ≥ 0.95): a query is the title of a sampled track
 *   with one edit (substitution, insertion, deletion or swap) in one word of 4+ letters and a
 *   letter in the other case. Generated titles repeat (adjective + noun), so a hit is a result
 *   with the intended title; a stricter variant adds the artist's name and needs the very track.
 */
import { serve, type ServerType } from "@hono/node-server";
import { createApp } from "@jonquils/api";
import { createLogger, loadConfig, type CatalogDatabase } from "@jonquils/core";
import { connectPostgres, migratePostgres } from "@jonquils/core/db/postgres";
import { reindexFromCatalog } from "@jonquils/core/search/reindex";
import { tokenize } from "@jonquils/core/search/text";
import { randomBytes } from "node:crypto";
import { Agent, get } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { migratePglite, openPglite } from "../pglite";
import { assembleLocalRuntime } from "../wiring";
import { catalogSize, generateCatalog } from "./catalog";

const TARGET = { ratio: 1.3, recall: 0.95 };
const BENCH_DB = "jonquils_bench_search";

const { values: flags } = parseArgs({
  options: {
    db: { type: "string" },
    tracks: { type: "string", default: "100000" },
    queries: { type: "string", default: "300" },
    warmup: { type: "string", default: "30" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    "npm run bench:search -- [--db pglite|postgres] [--tracks 100000] [--queries 300] [--warmup 30]\n",
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
  queries: positiveInt("queries", flags.queries),
  warmup: positiveInt("warmup", flags.warmup),
};
const databaseUrl = process.env["DATABASE_URL"] || undefined;
const db = flags.db ?? "pglite";
if (db !== "pglite" && db !== "postgres") {
  process.stderr.write(`--db must be pglite or postgres (got ${db})\n`);
  process.exit(2);
}
if (db === "postgres" && !databaseUrl) {
  process.stderr.write("--db postgres needs DATABASE_URL\n");
  process.exit(2);
}

const out = (line = "") => process.stdout.write(`${line}\n`);
const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtMs = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** One edit in the longest word of 4+ letters, and one letter elsewhere in the other case. */
export function oneTypo(title: string, random: () => number): string {
  const words = title.split(" ");
  let target = -1;
  for (const [i, w] of words.entries())
    if (/^[a-z]+$/i.test(w) && w.length >= 4 && (target < 0 || w.length > words[target]!.length))
      target = i;
  if (target < 0) return title;
  const w = words[target]!;
  const at = Math.floor(random() * w.length);
  const letter = LETTERS[Math.floor(random() * LETTERS.length)]!;
  const kind = Math.floor(random() * 4);
  let typo: string;
  if (kind === 0) typo = w.slice(0, at) + (letter === w[at] ? "z" : letter) + w.slice(at + 1);
  else if (kind === 1) typo = w.slice(0, at) + letter + w.slice(at);
  else if (kind === 2) typo = w.slice(0, at) + w.slice(at + 1);
  else {
    const i = Math.min(at, w.length - 2);
    typo = w.slice(0, i) + w[i + 1]! + w[i]! + w.slice(i + 2);
  }
  words[target] = typo;
  const other = words.findIndex((x, i) => i !== target && /^[a-z]/i.test(x));
  if (other >= 0) {
    const x = words[other]!;
    words[other] =
      (x[0] === x[0]!.toUpperCase() ? x[0].toLowerCase() : x[0]!.toUpperCase()) + x.slice(1);
  }
  return words.join(" ");
}

/** A lean HTTP client (keep-alive, no fetch machinery): the client shares this thread with the server. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function httpGet(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    }).on("error", reject);
  });
}

interface Prepared {
  catalog: CatalogDatabase;
  url?: string;
  exec(q: string): Promise<void>;
  rows<T>(q: string): Promise<T[]>;
  cleanup(): Promise<void>;
}

async function prepare(): Promise<Prepared> {
  if (db === "pglite") {
    const dir = await mkdtemp(join(os.tmpdir(), "jonquils-bench-search-"));
    const catalog = await openPglite({ dataDir: join(dir, "pgdata") });
    await migratePglite(catalog);
    return {
      catalog,
      exec: async (q) => void (await catalog.client.exec(q)),
      rows: async <T>(q: string) => (await catalog.client.query<T>(q)).rows,
      async cleanup() {
        await catalog.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${BENCH_DB} with (force)`);
  await admin.unsafe(`create database ${BENCH_DB}`);
  await admin.end();
  const u = new URL(databaseUrl!);
  u.pathname = `/${BENCH_DB}`;
  const url = u.toString();
  await migratePostgres(url);
  const client = postgres(url, { max: 1, onnotice: () => {} });
  return {
    catalog: connectPostgres(url),
    url,
    exec: async (q) => void (await client.unsafe(q)),
    rows: async <T>(q: string) => (await client.unsafe(q)) as unknown as T[],
    async cleanup() {
      await client.end();
      const drop = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
      await drop.unsafe(`drop database if exists ${BENCH_DB} with (force)`);
      await drop.end();
    },
  };
}

const prepared = await prepare();
const dataDir = await mkdtemp(join(os.tmpdir(), "jonquils-bench-search-data-"));
let server: ServerType | undefined;
try {
  const size = catalogSize(opts.tracks);
  out(
    `bench:search — ${db}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const generated = await generateCatalog(
    (q) => prepared.exec(q),
    async (q) => Number((await prepared.rows<{ n: number }>(q))[0]?.n ?? 0),
    size,
  );
  out(
    `dataset: ${fmtInt(generated.tracks)} tracks, ${fmtInt(generated.albums)} albums, ${fmtInt(generated.artists)} artists (generated in ${(generated.ms / 1000).toFixed(1)} s)`,
  );

  const jwt = randomBytes(32).toString("hex");
  const config = loadConfig({
    NODE_ENV: "production",
    LOG_LEVEL: "silent",
    DATA_DIR: dataDir,
    JWT_SECRET: jwt,
    SEED_DEMO: "false",
    RATE_LIMIT_IP_PER_MINUTE: "1000000000",
    RATE_LIMIT_USER_PER_MINUTE: "1000000000",
    ...(prepared.url ? { DATABASE_URL: prepared.url } : {}),
    ...(process.env["OPENSEARCH_URL"] ? { OPENSEARCH_URL: process.env["OPENSEARCH_URL"] } : {}),
  });
  const log = createLogger("silent");
  const runtime = assembleLocalRuntime(config, prepared.catalog, {
    log,
    publicUrl: "http://127.0.0.1",
  });
  const search = runtime.ports.search;
  const indexed = await reindexFromCatalog(runtime.ports, { batchSize: 2000 });
  await prepared.exec("analyze");
  out(
    `index (${search.kind}): ${fmtInt(indexed.indexed)} documents built in ${(indexed.ms / 1000).toFixed(1)} s`,
  );

  const app = createApp({ ...runtime, clientIp: () => "127.0.0.1" });
  const origin = await new Promise<string>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
  });

  const n = opts.queries + opts.warmup;
  const sample = await prepared.rows<{ id: string; title: string; artist: string }>(
    `select t.id, t.title, a.name as artist from tracks t join artists a on a.id = t.artist_id
     order by md5(t.id::text) limit ${n}`,
  );
  const random = prng(42);
  const cases = sample.map((s) => ({ ...s, q: oneTypo(s.title, random) }));
  const folded = (t: string) => tokenize(t).join(" ");

  const raw: number[] = [];
  const endpoint: number[] = [];
  let titleHits = 0;
  let trackHits = 0;
  let measured = 0;
  for (const [i, c] of cases.entries()) {
    const warm = i < opts.warmup;
    const query = { kind: "track" as const, q: c.q, limit: 10, offset: 0 };
    const url = `${origin}/api/v1/search/tracks?limit=10&q=${encodeURIComponent(c.q)}`;
    const runRaw = async () => {
      const t0 = performance.now();
      const r = await search.search(query);
      return { ms: performance.now() - t0, r };
    };
    const runEndpoint = async () => {
      const t0 = performance.now();
      const { status, text } = await httpGet(url);
      if (status !== 200) throw new Error(`GET ${url} → ${status}: ${text.slice(0, 200)}`);
      const body = JSON.parse(text) as { items: { id: string; title: string }[] };
      return { ms: performance.now() - t0, body };
    };
    // Alternate which goes first, so neither always meets a warmer cache.
    const [a, b] =
      i % 2 === 0
        ? [await runRaw(), await runEndpoint()]
        : await (async () => {
            const e = await runEndpoint();
            return [await runRaw(), e] as const;
          })();
    if (warm) continue;
    measured++;
    raw.push(a.ms);
    endpoint.push(b.ms);
    if (a.r.hits.some((h) => folded(h.document.title) === folded(c.title))) titleHits++;
    const strict = await search.search({ ...query, q: `${c.q} ${c.artist}` });
    if (strict.hits.some((h) => h.document.id === c.id)) trackHits++;
  }

  const rawP50 = percentile(raw, 50);
  const rawP95 = percentile(raw, 95);
  const endP50 = percentile(endpoint, 50);
  const endP95 = percentile(endpoint, 95);
  const recall = titleHits / measured;
  const strictRecall = trackHits / measured;
  out();
  out(`${measured} one-typo queries (after ${opts.warmup} warm-up), one at a time, limit 10:`);
  out(`                                  p50 ms    p95 ms`);
  out(`  raw engine query (port)      ${fmtMs(rawP50).padStart(8)}  ${fmtMs(rawP95).padStart(8)}`);
  out(`  GET /api/v1/search/tracks    ${fmtMs(endP50).padStart(8)}  ${fmtMs(endP95).padStart(8)}`);
  out(
    `  ratio endpoint/raw           ${(endP50 / rawP50).toFixed(2).padStart(8)}  ${(endP95 / rawP95).toFixed(2).padStart(8)}   target ≤ ${TARGET.ratio}`,
  );
  out();
  out(
    `recall@10, one typo, intended title in the top 10: ${recall.toFixed(3)}   target ≥ ${TARGET.recall}`,
  );
  out(`recall@10, one typo + artist name, the very track:  ${strictRecall.toFixed(3)}`);
  out(
    `examples: ${cases
      .slice(opts.warmup, opts.warmup + 3)
      .map((c) => `"${c.q}" → ${c.title}`)
      .join("; ")}`,
  );
  const pass =
    endP50 / rawP50 <= TARGET.ratio && endP95 / rawP95 <= TARGET.ratio && recall >= TARGET.recall;
  out(pass ? "targets met" : "TARGETS MISSED");
  await runtime.close();
} finally {
  agent.destroy();
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  await prepared.cleanup();
  await rm(dataDir, { recursive: true, force: true });
}
