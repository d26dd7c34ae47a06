import { reindexFromCatalog } from "@jonquils/core/search/reindex";
import { startTcpProxy, type TcpProxy } from "@jonquils/local/testing/tcp-proxy";
import {
  registerArtist,
  startTestApi,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Search follows catalog writes through the transactional outbox (issue 12, item 2): a write
 * records which documents changed in its own transaction; the drainer rewrites them at least
 * once. Over the real OpenSearch adapter (OPENSEARCH_URL, through a TCP proxy that can cut it)
 * and the embedded index.
 */
const openSearchUrl = process.env["OPENSEARCH_URL"] || undefined;
// Unique to this suite (issue 12 helper ports 18300–18399).
const PROXY_PORT = 18310 + (process.pid % 40);

type Json = { items: { title: string }[]; total: number };

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!openSearchUrl)("search sync during an OpenSearch outage", () => {
  let proxy: TcpProxy;
  let api: TestApiWithStorage;
  const prefix = `jqtest_h12_${randomBytes(4).toString("hex")}_`;

  beforeAll(async () => {
    const target = new URL(openSearchUrl!);
    proxy = await startTcpProxy(
      { host: target.hostname, port: Number(target.port || 9200) },
      PROXY_PORT,
    );
    api = await startTestApi(
      { db: "pglite", redis: false },
      {
        OPENSEARCH_URL: `http://127.0.0.1:${proxy.port}`,
        OPENSEARCH_INDEX_PREFIX: prefix,
      },
    );
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
    await fetch(`${openSearchUrl!.replace(/\/$/, "")}/${prefix}*`, { method: "DELETE" });
  });

  it("accepts writes at once while OpenSearch refuses connections, and indexes them once it is back", async () => {
    const artist = await registerArtist(api, "Outage Ensemble");
    proxy.cut("reset");
    const started = performance.now();
    const created = await api.request("POST", "/api/v1/tracks", {
      token: artist.accessToken,
      body: { title: "Lighthouse Static", durationMs: 200_000 },
    });
    const renamed = await api.request("PATCH", `/api/v1/tracks/${created.body.id}`, {
      token: artist.accessToken,
      body: { title: "Lighthouse Signal" },
    });
    const ms = performance.now() - started;
    expect(created.status).toBe(201);
    expect(renamed.status).toBe(200);
    expect(ms).toBeLessThan(2000);
    // Searching needs the engine: a clear 503 meanwhile.
    const down = await api.request("GET", "/api/v1/search/tracks?q=lighthouse");
    expect(down.status).toBe(503);
    await api.runtime.ports.outbox!.drain();
    expect((await api.runtime.ports.outbox!.pending())["search"]).toBeGreaterThan(0);

    proxy.restore();
    // The failed batch is retried once its claim is stale (15 s): no reindex, no new write.
    const found = await until(
      () => api.request("GET", "/api/v1/search/tracks?q=lighthouse"),
      (r) => r.status === 200 && (r.body as Json).total > 0,
      30_000,
    );
    expect((found.body as Json).items.map((i) => i.title)).toEqual(["Lighthouse Signal"]);
    const left = await until(
      async () => (await api.runtime.ports.outbox!.pending())["search"] ?? 0,
      (n) => n === 0,
      5000,
    );
    expect(left).toBe(0);
  }, 60_000);
});

const adapters: { name: string; overrides: Record<string, string> }[] = [
  { name: "embedded", overrides: {} },
];
if (openSearchUrl)
  adapters.push({
    name: "opensearch",
    overrides: {
      OPENSEARCH_URL: openSearchUrl,
      OPENSEARCH_INDEX_PREFIX: `jqtest_h12_${randomBytes(4).toString("hex")}_`,
    },
  });

describe.each(adapters)("a reindex catches up writes made while it runs ($name)", (adapter) => {
  let api: TestApiWithStorage;
  beforeAll(async () => {
    api = await startTestApi({ db: "pglite", redis: false }, adapter.overrides);
  });
  afterAll(async () => {
    await api?.close();
    const prefix = adapter.overrides["OPENSEARCH_INDEX_PREFIX"];
    if (prefix && openSearchUrl)
      await fetch(`${openSearchUrl.replace(/\/$/, "")}/${prefix}*`, { method: "DELETE" });
  });

  const titles = async (q: string) =>
    (
      (await api.request("GET", `/api/v1/search/tracks?q=${encodeURIComponent(q)}`)).body as Json
    ).items
      .map((i) => i.title)
      .sort();

  it("keeps a rename, removals and a new track written between its batches", async () => {
    const artist = await registerArtist(api, "Rebuild Quartet");
    const titleOf = new Map<string, string>();
    for (const title of ["Amber Coast", "Birch Hollow", "Cinder Vale", "Dune Harbor"]) {
      const res = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { title, durationMs: 180_000 },
      });
      expect(res.status).toBe(201);
      titleOf.set(res.body.id as string, title);
    }
    await api.runtime.ports.outbox!.drain();
    expect(await titles("cinder vale")).toEqual(["Cinder Vale"]);
    // The rebuild reads tracks in id order, one per batch: when the first is written, the
    // second is already read (the next batch is read while one is written).
    const [written, readAhead, renamed, untouched] = [...titleOf.keys()].sort();

    let wrote = false;
    await reindexFromCatalog(api.runtime.ports, {
      batchSize: 1,
      onProgress: async () => {
        if (wrote) return;
        wrote = true;
        const write = (method: string, path: string, body?: unknown) =>
          api.request(method, path, { token: artist.accessToken, body });
        expect((await write("DELETE", `/api/v1/tracks/${written}`)).status).toBe(204);
        expect((await write("DELETE", `/api/v1/tracks/${readAhead}`)).status).toBe(204);
        expect(
          (await write("PATCH", `/api/v1/tracks/${renamed}`, { title: "Willow Meadow" })).status,
        ).toBe(200);
        expect(
          (await write("POST", "/api/v1/tracks", { title: "Elm Crossing", durationMs: 1000 }))
            .status,
        ).toBe(201);
        // Whatever the drainer does meanwhile.
        await api.runtime.ports.outbox!.drain();
      },
    });
    expect(wrote).toBe(true);
    await api.runtime.ports.outbox!.drain();
    expect(await titles("willow meadow")).toEqual(["Willow Meadow"]);
    expect(await titles("elm crossing")).toEqual(["Elm Crossing"]);
    expect(await titles(titleOf.get(untouched!)!)).toEqual([titleOf.get(untouched!)]);
    for (const gone of [written!, readAhead!, renamed!])
      expect(await titles(titleOf.get(gone)!), titleOf.get(gone)).toEqual([]);
    const artists = (await api.request("GET", "/api/v1/search/artists?q=rebuild%20quartet"))
      .body as { items: { trackCount: number }[] };
    expect(artists.items[0]?.trackCount).toBe(3);
  }, 60_000);
});

describe.each(adapters)("the drift check compares content ($name)", (adapter) => {
  let api: TestApiWithStorage;
  beforeAll(async () => {
    api = await startTestApi({ db: "pglite", redis: false }, adapter.overrides);
  });
  afterAll(async () => {
    await api?.close();
    const prefix = adapter.overrides["OPENSEARCH_INDEX_PREFIX"];
    if (prefix && openSearchUrl)
      await fetch(`${openSearchUrl.replace(/\/$/, "")}/${prefix}*`, { method: "DELETE" });
  });

  const drift = async () => {
    const report = await api.runtime.monitoring.run("test");
    return report.checks.find((c) => c.key === "data_quality.search_index_drift")!;
  };

  it("sees documents indexed before their audio was attached, with the same count, and re-syncs them", async () => {
    const { schema } = await import("@jonquils/core");
    const artist = await registerArtist(api, "Drift Collective");
    const ids: string[] = [];
    for (const title of ["Tidal Clock", "Salt Garden", "Paper Comet"]) {
      const res = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { title, durationMs: 240_000 },
      });
      ids.push(res.body.id as string);
    }
    await api.runtime.ports.outbox!.drain();
    expect((await drift()).status).toBe("ok");

    // What the first `npm start` did: clips attached behind the services' backs, after the
    // documents were written — the index keeps "no audio" and the old length, at the same count.
    const { inArray, sql } = await import("drizzle-orm");
    await api.runtime.ports.db
      .update(schema.tracks)
      .set({
        filePath: sql`'demo/' || ${schema.tracks.id} || '.wav'`,
        fileFormat: "wav",
        durationMs: 30_000,
      })
      .where(inArray(schema.tracks.id, ids));
    const seen = await drift();
    expect(seen.status).toBe("alert");
    expect(seen.detail).toMatchObject({ outdated: 3, missing: 0, extra: 0, resyncQueued: true });
    const tracks = (seen.detail["byKind"] as Record<string, Record<string, number>>)["track"]!;
    expect(tracks).toMatchObject({ outdated: 3, missing: 0, extra: 0 });
    expect(tracks["catalog"]).toBe(tracks["indexed"]);

    // The queued re-sync repairs them; the next run is clean.
    await api.runtime.ports.outbox!.drain();
    const found = await api.request("GET", "/api/v1/search/tracks?q=tidal%20clock");
    expect(found.body.items[0]).toMatchObject({ durationMs: 30_000, hasAudio: true });
    const after = await drift();
    expect(after.status).toBe("ok");
    expect(after.detail).toMatchObject({ outdated: 0, missing: 0, extra: 0 });
    expect(ids).toHaveLength(3);
  }, 60_000);

  // An artist, an album and a public playlist renamed while their search event was lost (a
  // write behind the services' backs): the same count, other content — seen per kind, repaired.
  it.each([
    { kind: "artist", path: "artists", before: "Lost Event Trio", after: "Found Event Trio" },
    { kind: "album", path: "albums", before: "Quiet Reservoir", after: "Loud Reservoir" },
    { kind: "playlist", path: "playlists", before: "Lantern Mix", after: "Beacon Mix" },
  ] as const)(
    "sees an outdated $kind (renamed while its search event was lost) and re-syncs it",
    async ({ kind, path, before, after }) => {
      const { schema } = await import("@jonquils/core");
      const { eq } = await import("drizzle-orm");
      const artist = await registerArtist(
        api,
        kind === "artist" ? before : `Owner ${randomBytes(3).toString("hex")}`,
      );
      let id = artist.artistId;
      if (kind !== "artist") {
        const res = await api.request("POST", `/api/v1/${path}`, {
          token: artist.accessToken,
          body: kind === "album" ? { title: before } : { title: before, isPublic: true },
        });
        expect(res.status).toBe(201);
        id = res.body.id as string;
      }
      await api.runtime.ports.outbox!.drain();
      const search = async (q: string) =>
        (
          (await api.request("GET", `/api/v1/search/${path}?q=${encodeURIComponent(q)}`)).body as {
            items: { id: string }[];
          }
        ).items.map((i) => i.id);
      expect(await search(before)).toContain(id);
      expect((await drift()).status).toBe("ok");

      const db = api.runtime.ports.db;
      if (kind === "artist")
        await db.update(schema.artists).set({ name: after }).where(eq(schema.artists.id, id));
      else if (kind === "album")
        await db.update(schema.albums).set({ title: after }).where(eq(schema.albums.id, id));
      else
        await db.update(schema.playlists).set({ title: after }).where(eq(schema.playlists.id, id));
      const seen = await drift();
      expect(seen.status).toBe("alert");
      expect(seen.title).toContain("1 outdated");
      const byKind = seen.detail["byKind"] as Record<string, Record<string, unknown>>;
      expect(byKind[kind]).toMatchObject({
        outdated: 1,
        missing: 0,
        extra: 0,
        sample: [id],
        resyncQueued: true,
      });
      for (const other of ["track", "artist", "album", "playlist"].filter((k) => k !== kind))
        expect(byKind[other], other).toMatchObject({ outdated: 0, missing: 0, extra: 0 });

      await api.runtime.ports.outbox!.drain();
      expect(await search(after)).toContain(id);
      expect(await search(before)).not.toContain(id);
      expect((await drift()).status).toBe("ok");
    },
    60_000,
  );
});
