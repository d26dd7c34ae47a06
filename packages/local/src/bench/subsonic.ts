/**
 * `npm run bench:subsonic [-- --tracks 20000 --duration 8 --warmup 2 --connections 32 --rounds 1]`
 *
 * The Subsonic API against its REST equivalent, in one process, on one generated catalog
 * (PGlite; the same wiring as `npm start`): for each hot endpoint both targets are loaded by
 * autocannon in a child process with the same connections and duration, one after the other,
 * and the throughput ratio is printed. Target: every ratio ≥ 0.8.
 *
 *   getAlbumList2 (newest, 50)            ↔ GET /api/v1/albums?limit=50
 *   search3 (songs only, 20)              ↔ GET /api/v1/search/tracks?q=…&limit=20
 *   getAlbum (200 album ids in rotation)  ↔ GET /api/v1/albums/{id}
 *   stream start (302 to the signed URL)  ↔ GET /api/v1/tracks/{id}/stream?redirect=1
 *
 * The Subsonic requests carry token auth (u, t = md5(app password + s), s) on every request, as
 * player apps do; the REST equivalents are public routes (no bearer token). Results:
 * docs/benchmarks.md.
 */
import { serve, type ServerType } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createApp } from "@jonquils/api";
import { createLogger, loadConfig, schema } from "@jonquils/core";
import { reindexFromCatalog } from "@jonquils/core/search/reindex";
import { isNotNull, sql } from "drizzle-orm";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { migratePglite, openPglite } from "../pglite";
import { assembleLocalRuntime } from "../wiring";
import { catalogSize, generateCatalog } from "./catalog";
import { runLoad, type LoadResult } from "./load";

const TARGET_RATIO = 0.8;

const { values: flags } = parseArgs({
  options: {
    tracks: { type: "string", default: "20000" },
    duration: { type: "string", default: "8" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "32" },
    rounds: { type: "string", default: "1" },
  },
});
const num = (v: string | undefined, name: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a whole number (got ${v})\n`);
    process.exit(2);
  }
  return n;
};
const opts = {
  tracks: num(flags.tracks, "tracks"),
  duration: num(flags.duration, "duration"),
  warmup: num(flags.warmup, "warmup"),
  connections: num(flags.connections, "connections"),
  rounds: Math.max(1, num(flags.rounds, "rounds")),
};

const out = (line = "") => process.stdout.write(`${line}\n`);
const md5 = (s: string) => createHash("md5").update(s).digest("hex");

function listen(
  fetch: Parameters<typeof serve>[0]["fetch"],
): Promise<{ server: ServerType; origin: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve({ server, origin: `http://127.0.0.1:${info.port}` }),
    );
  });
}

async function main() {
  const dir = await mkdtemp(join(os.tmpdir(), "jonquils-bench-subsonic-"));
  const catalog = await openPglite({ dataDir: join(dir, "pgdata") });
  await migratePglite(catalog);
  const size = await generateCatalog(
    async (q) => void (await catalog.client.exec(q)),
    async (q) => Number((await catalog.client.query<{ n: number }>(q)).rows[0]?.n ?? 0),
    catalogSize(opts.tracks),
  );
  out(`catalog: ${size.tracks} tracks, ${size.albums} albums, ${size.artists} artists (PGlite)`);

  const jwt = randomBytes(32).toString("hex");
  const config = loadConfig({
    NODE_ENV: "production",
    LOG_LEVEL: "silent",
    DATA_DIR: join(dir, "data"),
    JWT_SECRET: jwt,
    SEED_DEMO: "false",
    RATE_LIMIT_IP_PER_MINUTE: "1000000000",
    RATE_LIMIT_USER_PER_MINUTE: "1000000000",
  });
  const log = createLogger("silent");
  const runtime = assembleLocalRuntime(config, catalog, {
    log,
    publicUrl: "http://127.0.0.1",
  });
  const indexed = await reindexFromCatalog(runtime.ports);
  out(`search index: ${indexed.indexed} documents in ${(indexed.ms / 1000).toFixed(1)} s`);
  const app = createApp({ ...runtime, clientIp: (c) => getConnInfo(c).remote.address });
  const { server, origin } = await listen(app.fetch);

  try {
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(origin + path, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, string>;
    };
    const user = "benchuser";
    const session = await post("/api/v1/auth/register", {
      username: user,
      email: "bench@example.com",
      password: "correct horse battery",
    });
    const app1 = await post(
      "/api/v1/auth/app-passwords",
      { name: "bench" },
      session["accessToken"],
    );
    const salt = "bench1salt";
    const auth = `u=${user}&t=${md5(app1["password"]! + salt)}&s=${salt}&v=1.16.1&c=bench&f=json`;

    const db = runtime.ports.db;
    const albumIds = (
      await db
        .select({ id: schema.albums.id })
        .from(schema.albums)
        .orderBy(sql`random()`)
        .limit(200)
    ).map((r) => r.id);
    const audioIds = (
      await db
        .select({ id: schema.tracks.id })
        .from(schema.tracks)
        .where(isNotNull(schema.tracks.filePath))
        .orderBy(sql`random()`)
        .limit(200)
    ).map((r) => r.id);
    const [word] = (
      await db
        .select({ title: schema.tracks.title })
        .from(schema.tracks)
        .orderBy(sql`popularity desc`)
        .limit(1)
    ).map((r) => r.title.split(/\s+/)[0]!.toLowerCase());
    const q = encodeURIComponent(word ?? "love");

    const pairs: { name: string; rest: string[]; subsonic: string[]; expect: number }[] = [
      {
        name: "getAlbumList2 newest 50",
        rest: ["/api/v1/albums?limit=50"],
        subsonic: [`/rest/getAlbumList2.view?type=newest&size=50&${auth}`],
        expect: 200,
      },
      {
        name: `search3 "${word}" (20 songs)`,
        rest: [`/api/v1/search/tracks?q=${q}&limit=20`],
        subsonic: [`/rest/search3.view?query=${q}&songCount=20&artistCount=0&albumCount=0&${auth}`],
        expect: 200,
      },
      {
        name: "getAlbum (200 ids)",
        rest: albumIds.map((id) => `/api/v1/albums/${id}`),
        subsonic: albumIds.map((id) => `/rest/getAlbum.view?id=al-${id}&${auth}`),
        expect: 200,
      },
      {
        name: "stream start (200 ids, 302)",
        rest: audioIds.map((id) => `/api/v1/tracks/${id}/stream?redirect=1`),
        subsonic: audioIds.map((id) => `/rest/stream.view?id=tr-${id}&${auth}`),
        expect: 302,
      },
    ];
    // Every path answers what it should before anything is measured.
    for (const pair of pairs)
      for (const path of [pair.rest[0]!, pair.subsonic[0]!]) {
        const res = await fetch(origin + path, { redirect: "manual" });
        const text = await res.text();
        if (res.status !== pair.expect || text.includes('"status":"failed"'))
          throw new Error(`${path} → ${res.status} ${text.slice(0, 300)}`);
      }

    const run = (paths: string[]): Promise<LoadResult> =>
      runLoad({
        origin,
        paths,
        connections: opts.connections,
        durationSeconds: opts.duration,
        warmupSeconds: opts.warmup,
      });
    out(
      `\nautocannon: ${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s, ${opts.rounds} round(s); load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}\n`,
    );
    out("| endpoint | REST req/s | Subsonic req/s | ratio | REST p99 ms | Subsonic p99 ms |");
    out("| --- | ---: | ---: | ---: | ---: | ---: |");
    let failed = false;
    for (const pair of pairs) {
      let restRps = 0;
      let subRps = 0;
      let restP99 = 0;
      let subP99 = 0;
      for (let r = 0; r < opts.rounds; r++) {
        const a = await run(pair.rest);
        const b = await run(pair.subsonic);
        if (a.errors || b.errors) throw new Error(`${pair.name}: ${a.errors} / ${b.errors} errors`);
        restRps += a.rps / opts.rounds;
        subRps += b.rps / opts.rounds;
        restP99 = Math.max(restP99, a.p99);
        subP99 = Math.max(subP99, b.p99);
      }
      const ratio = subRps / restRps;
      if (ratio < TARGET_RATIO) failed = true;
      out(
        `| ${pair.name} | ${Math.round(restRps)} | ${Math.round(subRps)} | ${ratio.toFixed(2)}${ratio < TARGET_RATIO ? " ✗" : ""} | ${restP99} | ${subP99} |`,
      );
    }
    out(`\ntarget: every ratio ≥ ${TARGET_RATIO} — ${failed ? "NOT MET" : "met"}`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
