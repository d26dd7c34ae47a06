import { createApp } from "@jonquils/api";
import { schema } from "@jonquils/core";
import type { AnalyticsRecord } from "@jonquils/core/analytics/records";
import type { EventQueue } from "@jonquils/core/queue/queue";
import {
  promoteToAdmin,
  registerArtist,
  registerUser,
  startTestApi,
  wirings,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;

describe.each(wirings())("search API ($name)", (wiring) => {
  let api: TestApiWithStorage;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  let russian: Awaited<ReturnType<typeof registerArtist>>;
  const trackIds = new Map<string, string>();
  let genres: Map<string, number>;

  /** Search follows writes through the outbox, delivered just after the commit: wait for it. */
  const synced = () => api.runtime.ports.outbox!.drain();

  async function createTrack(token: string, body: Record<string, unknown>) {
    const res = await api.request("POST", "/api/v1/tracks", { token, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    trackIds.set(res.body.title as string, res.body.id as string);
    return res.body;
  }

  const search = (path: string) => api.request("GET", `/api/v1/search/${path}`);
  const titles = (res: { body: Json }) => res.body.items.map((i: Json) => i.title ?? i.name);

  beforeAll(async () => {
    api = await startTestApi(wiring);
    const g = await api.request("GET", "/api/v1/genres");
    genres = new Map(g.body.items.map((x: Json) => [x.slug, x.id]));
    artist = await registerArtist(api, "Nadia Lindqvist");
    russian = await registerArtist(api, "Белые Ночи");
    const album = await api.request("POST", "/api/v1/albums", {
      token: artist.accessToken,
      body: { title: "Northern Static", releaseDate: "2023-03-01" },
    });
    expect(album.status).toBe(201);
    await createTrack(artist.accessToken, {
      title: "Aurora Drift",
      albumId: album.body.id,
      genreId: genres.get("electronic"),
      year: 2023,
      tempo: 122,
      durationMs: 245_000,
    });
    await createTrack(artist.accessToken, {
      title: "Aurora",
      genreId: genres.get("ambient"),
      year: 2019,
      tempo: 70,
      durationMs: 120_000,
    });
    await createTrack(artist.accessToken, { title: "Glass Lake", year: 2025, durationMs: 280_000 });
    await createTrack(russian.accessToken, { title: "Ёлка во дворе", year: 2021, tempo: 140 });
    await createTrack(russian.accessToken, { title: "Çok Güzel", year: 2018 });
    // Popularity as analytics sets it.
    await api.runtime.ports.db
      .update(schema.tracks)
      .set({ popularity: 5 })
      .where(eq(schema.tracks.id, trackIds.get("Aurora Drift")!));
    await api.runtime.ports.db
      .update(schema.tracks)
      .set({ popularity: 90 })
      .where(eq(schema.tracks.id, trackIds.get("Aurora")!));
    // Popularity changed outside the services: the index learns it at the next write or reindex.
    await synced();
    const { syncSearch } = await import("@jonquils/core/search/sync");
    await syncSearch(api.runtime.ports, { tracks: [...trackIds.values()] });
  });
  afterAll(() => api.close());

  it("finds a title with one letter wrong and one in another case first, with what a result row shows", async () => {
    const res = await search("tracks?q=AURORA%20dRifr");
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    const [hit] = res.body.items;
    expect(hit).toMatchObject({
      kind: "track",
      id: trackIds.get("Aurora Drift"),
      title: "Aurora Drift",
      artist: { name: "Nadia Lindqvist" },
      album: { title: "Northern Static" },
      genre: { slug: "electronic" },
      durationMs: 245_000,
      year: 2023,
      highlight: { title: "<mark>Aurora</mark> <mark>Drift</mark>" },
    });
    expect(typeof hit.score).toBe("number");
  });

  it("answers the same at the description's /tracks/search path", async () => {
    const a = await api.request("GET", "/api/v1/tracks/search?q=glass%20lakr");
    const b = await search("tracks?q=glass%20lakr");
    expect(a.status).toBe(200);
    expect(titles(a)).toEqual(["Glass Lake"]);
    expect(a.body).toEqual(b.body);
    // Real track ids still resolve beside it.
    const one = await api.request("GET", `/api/v1/tracks/${trackIds.get("Glass Lake")}`);
    expect(one.body.title).toBe("Glass Lake");
  });

  it("finds Cyrillic and accented titles with and without diacritics", async () => {
    expect(titles(await search("tracks?q=%D0%B5%D0%BB%D0%BA%D0%B0"))).toEqual(["Ёлка во дворе"]); // елка
    expect(titles(await search(`tracks?q=${encodeURIComponent("Ёлка")}`))).toEqual([
      "Ёлка во дворе",
    ]);
    expect(titles(await search("tracks?q=cok"))).toEqual(["Çok Güzel"]);
    expect(titles(await search(`tracks?q=${encodeURIComponent("Çok")}`))).toEqual(["Çok Güzel"]);
    expect(titles(await search("tracks?q=guzel"))).toEqual(["Çok Güzel"]);
  });

  it("ranks the exact title first by relevance; popularity and newest on request", async () => {
    expect(titles(await search("tracks?q=aurora"))).toEqual(["Aurora", "Aurora Drift"]);
    expect(titles(await search("tracks?q=aurora&sort=popularity"))).toEqual([
      "Aurora",
      "Aurora Drift",
    ]);
    expect(titles(await search("tracks?q=aurora&sort=newest"))).toEqual(["Aurora", "Aurora Drift"]);
  });

  it("filters by genre, year, tempo and duration, and pages with a total", async () => {
    expect(titles(await search("tracks?q=aurora&genre=electronic"))).toEqual(["Aurora Drift"]);
    expect(titles(await search("tracks?q=aurora&yearFrom=2020&yearTo=2024"))).toEqual([
      "Aurora Drift",
    ]);
    expect(titles(await search("tracks?q=aurora&tempoFrom=100&tempoTo=130"))).toEqual([
      "Aurora Drift",
    ]);
    expect(titles(await search("tracks?q=aurora&durationToMs=150000"))).toEqual(["Aurora"]);
    const page1 = await search("tracks?q=nadia&limit=2");
    expect(page1.body).toMatchObject({ total: 3, limit: 2, offset: 0, nextOffset: 2 });
    const page2 = await search("tracks?q=nadia&limit=2&offset=2");
    expect(page2.body).toMatchObject({ total: 3, offset: 2, nextOffset: null });
    expect(page2.body.items).toHaveLength(1);
  });

  it("searches artists and albums", async () => {
    expect(titles(await search("artists?q=%D0%B1%D0%B5%D0%BB%D1%8B%D0%B5"))).toEqual([
      "Белые Ночи",
    ]);
    expect(titles(await search("artists?q=nadya"))).toEqual(["Nadia Lindqvist"]);
    const albums = await search("albums?q=northern%20statc");
    expect(titles(albums)).toEqual(["Northern Static"]);
    expect(albums.body.items[0]).toMatchObject({ artist: { name: "Nadia Lindqvist" }, year: 2023 });
  });

  it("suggests from two letters", async () => {
    const one = await search("suggest?q=a");
    expect(one.status).toBe(200);
    expect(one.body.items).toEqual([]);
    const two = await search("suggest?q=au");
    expect(two.body.items.map((s: Json) => s.text)).toEqual(
      expect.arrayContaining(["Aurora", "Aurora Drift"]),
    );
    expect(two.body.items[0].highlight).toMatch(/^<mark>Aurora<\/mark>/);
    const artists = await search(`suggest?q=${encodeURIComponent("бе")}&kinds=artist`);
    expect(artists.body.items).toEqual([
      expect.objectContaining({ kind: "artist", text: "Белые Ночи", subtitle: null }),
    ]);
    const tracks = await search("suggest?q=gla&kinds=track,album");
    expect(tracks.body.items[0]).toMatchObject({
      kind: "track",
      text: "Glass Lake",
      subtitle: "Nadia Lindqvist",
    });
  });

  it("refuses bad input with problem+json", async () => {
    const cases = [
      "tracks?q=",
      "tracks",
      "tracks?q=%20%21%21",
      "tracks?q=aurora&yearFrom=2024&yearTo=2020",
      "tracks?q=aurora&tempoFrom=150&tempoTo=100",
      "tracks?q=aurora&durationFromMs=9000&durationToMs=10",
      "tracks?q=aurora&limit=0",
      "tracks?q=aurora&limit=51",
      "tracks?q=aurora&offset=-1",
      "tracks?q=aurora&offset=9990&limit=20",
      "tracks?q=aurora&sort=loudest",
      "tracks?q=aurora&yearFrom=abc",
      "tracks?q=aurora&genre=%00",
      "tracks?q=aurora&genre=rock%20'--",
      `tracks?q=${"a".repeat(201)}`,
      "albums?q=x&yearFrom=2030&yearTo=2000",
      "suggest?q=",
      "suggest?q=au&kinds=track,song",
      "suggest?q=au&limit=21",
    ];
    for (const path of cases) {
      const res = await search(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get("content-type"), path).toContain("application/problem+json");
      expect(res.body.code, path).toBe("validation_failed");
    }
    const range = await search("tracks?q=aurora&yearFrom=2024&yearTo=2020");
    expect(range.body.errors).toEqual([
      expect.objectContaining({ path: "yearFrom", message: expect.stringContaining("yearTo") }),
    ]);
  });

  it("follows catalog writes: rename, delete, playlists made public and private", async () => {
    const id = trackIds.get("Glass Lake")!;
    const renamed = await api.request("PATCH", `/api/v1/tracks/${id}`, {
      token: artist.accessToken,
      body: { title: "Mirror Pond" },
    });
    expect(renamed.status).toBe(200);
    await synced();
    expect(titles(await search("tracks?q=glass%20lake"))).toEqual([]);
    expect(titles(await search("tracks?q=mirror%20pond"))).toEqual(["Mirror Pond"]);

    const deleted = await api.request("DELETE", `/api/v1/tracks/${id}`, {
      token: artist.accessToken,
    });
    expect(deleted.status).toBe(204);
    await synced();
    expect(titles(await search("tracks?q=mirror%20pond"))).toEqual([]);
    const nadia = await search("artists?q=nadia");
    expect(nadia.body.items[0].trackCount).toBe(2);

    const listener = await registerUser(api);
    const created = await api.request("POST", "/api/v1/playlists", {
      token: listener.accessToken,
      body: { title: "Quiet Harbour Evenings", isPublic: false },
    });
    expect(created.status).toBe(201);
    await synced();
    expect(titles(await search("playlists?q=harbour%20evenings"))).toEqual([]);
    await api.request("PATCH", `/api/v1/playlists/${created.body.id}`, {
      token: listener.accessToken,
      body: { isPublic: true },
    });
    await synced();
    const found = await search("playlists?q=harbor%20evenings");
    expect(titles(found)).toEqual(["Quiet Harbour Evenings"]);
    expect(found.body.items[0].owner.username).toBe(listener.user.username);
    await api.request("PATCH", `/api/v1/playlists/${created.body.id}`, {
      token: listener.accessToken,
      body: { isPublic: false },
    });
    await synced();
    expect(titles(await search("playlists?q=harbour%20evenings"))).toEqual([]);

    // Even if the index missed that write (a failed sync), the catalog keeps it private.
    await api.request("PATCH", `/api/v1/playlists/${created.body.id}`, {
      token: listener.accessToken,
      body: { isPublic: true },
    });
    await synced();
    expect(titles(await search("playlists?q=harbour%20evenings"))).toEqual([
      "Quiet Harbour Evenings",
    ]);
    const before = await search("suggest?q=quiet%20harb&kinds=playlist");
    expect(before.body.items.map((s: { text: string }) => s.text)).toEqual([
      "Quiet Harbour Evenings",
    ]);
    await api.runtime.ports.db
      .update(schema.playlists)
      .set({ isPublic: false })
      .where(eq(schema.playlists.id, created.body.id));
    const stale = await search("playlists?q=harbour%20evenings");
    expect(titles(stale)).toEqual([]);
    expect(stale.body.total).toBe(0);
    const suggested = await search("suggest?q=quiet%20harb&kinds=playlist");
    expect(suggested.body.items).toEqual([]);
  });

  it("records searches and clicks in analytics, and validates clicks", async () => {
    // The analytics queue the runtime would send to ClickHouse, recorded here.
    const recorded: AnalyticsRecord[] = [];
    const queue: EventQueue<AnalyticsRecord> = {
      kind: "recording",
      enqueue: (r) => void recorded.push(r),
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
      stats: () => api.runtime.ports.analytics.queue.stats(),
    };
    const app = createApp({
      ...api.runtime,
      ports: { ...api.runtime.ports, analytics: { ...api.runtime.ports.analytics, queue } },
      clientIp: () => "203.0.113.9",
    });
    // search_analytics columns: at, user_id, query, kind, results_count, clicked_result_id.
    const searches = () =>
      recorded.filter((r) => r.table === "search_analytics").map((r) => r.values.slice(1));
    const admin = await promoteToAdmin(api, await registerUser(api));
    const res = await app.request("/api/v1/search/tracks?q=aurora", {
      headers: { authorization: `Bearer ${admin.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(searches()).toEqual([[admin.user.id, "aurora", "tracks", 2, null]]);
    const click = await app.request("/api/v1/search/click", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "aurora",
        kind: "track",
        id: trackIds.get("Aurora"),
        position: 0,
      }),
    });
    expect(click.status).toBe(204);
    expect(searches()[1]).toEqual([null, "aurora", "tracks", 0, trackIds.get("Aurora")]);
    for (const body of [
      { query: "aurora", kind: "track", id: "not-a-uuid", position: 0 },
      { query: "aurora", kind: "song", id: trackIds.get("Aurora"), position: 0 },
      { query: "", kind: "track", id: trackIds.get("Aurora"), position: 0 },
      { query: "aurora", kind: "track", id: trackIds.get("Aurora"), position: -1 },
    ]) {
      const bad = await app.request("/api/v1/search/click", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    expect(searches()).toHaveLength(2);
  });

  it("keeps catalog writes working when the search engine is down, and answers 503 to searches", async () => {
    const down = new Error("connect ECONNREFUSED 127.0.0.1:9200");
    const failing = {
      ...api.runtime.ports.search,
      upsert: () => Promise.reject(down),
      remove: () => Promise.reject(down),
      search: () => Promise.reject(down),
      suggest: () => Promise.reject(down),
    };
    const app = createApp({
      ...api.runtime,
      ports: { ...api.runtime.ports, search: failing },
      clientIp: () => "203.0.113.10",
    });
    const created = await app.request("/api/v1/tracks", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${artist.accessToken}`,
      },
      body: JSON.stringify({ title: "Written While Search Sleeps" }),
    });
    expect(created.status).toBe(201);
    for (const path of ["/api/v1/search/tracks?q=written", "/api/v1/search/suggest?q=wr"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(503);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(((await res.json()) as Json).code).toBe("search_unavailable");
    }
    // The write recorded its search event in the outbox: it reaches the index once the index
    // answers, without a reindex.
    await synced();
    expect(titles(await search("tracks?q=written%20while"))).toEqual([
      "Written While Search Sleeps",
    ]);
  });

  it("documents the endpoints in /openapi.json", async () => {
    const doc = (await api.request("GET", "/openapi.json")).body;
    for (const path of [
      "/api/v1/search/tracks",
      "/api/v1/search/artists",
      "/api/v1/search/albums",
      "/api/v1/search/suggest",
      "/api/v1/search/click",
      "/api/v1/tracks/search",
    ])
      expect(doc.paths[path], path).toBeDefined();
    expect(doc.components.schemas.TrackSearchHit).toBeDefined();
  });
});
