import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import { registerArtist, wirings, type TestApi } from "@jonquils/local/testing/harness";
import { catalogSuite, ids, titles, type ArtistSession, type Json } from "./support/catalog";

/** Tracks over HTTP: create, read, page, filter, sort, update, delete, popular. */
describe.each(wirings())("tracks ($name)", (wiring) => {
  const suite = catalogSuite(wiring);
  const { genreId, createTrack, createAlbum, setPopularity } = suite;
  let api: TestApi;
  beforeAll(() => {
    api = suite.api;
  });

  describe("tracks", () => {
    let artist: ArtistSession;
    beforeAll(async () => {
      artist = await registerArtist(api, "The Trackers");
    });

    it("creates a track and returns it joined with its artist, album and genre", async () => {
      const album = await createAlbum(artist.accessToken, {
        title: "First Light",
        releaseDate: "2021-05-01",
      });
      const created = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: {
          title: "  Opening   Song ",
          albumId: album.id,
          genreId: genreId("rock"),
          trackNumber: 1,
          discNumber: 1,
          year: 2021,
          durationMs: 215_000,
          tempo: 120,
          energy: 0.8,
          valence: 0.4,
          loudness: -7,
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        title: "Opening Song",
        artist: { id: artist.artistId, name: "The Trackers" },
        album: { id: album.id, title: "First Light" },
        genre: { id: genreId("rock"), name: "Rock", slug: "rock" },
        genreSource: "manual",
        trackNumber: 1,
        discNumber: 1,
        year: 2021,
        durationMs: 215_000,
        popularity: 0,
        playCount: 0,
        tempo: 120,
        energy: expect.closeTo(0.8, 5),
        hasAudio: false,
      });
      const got = await api.request("GET", `/api/v1/tracks/${created.body.id}`);
      expect(got.status).toBe(200);
      expect(got.headers.get("content-type")).toContain("application/json");
      expect(got.body).toEqual(created.body);
    });

    it("creates a metadata-only track with just a title", async () => {
      const t = await createTrack(artist.accessToken, { title: "Bare" });
      expect(t).toMatchObject({
        title: "Bare",
        album: null,
        genre: null,
        genreSource: null,
        year: null,
        durationMs: 0,
      });
    });

    it("pages with limit/offset and nextOffset, without gaps or repeats", async () => {
      const a = await registerArtist(api);
      for (let i = 0; i < 5; i++) await createTrack(a.accessToken, { title: `Paged ${i}` });
      const seen: string[] = [];
      let offset: number | null = 0;
      const pages: Json[] = [];
      while (offset !== null) {
        const res = await api.request(
          "GET",
          `/api/v1/tracks?artistId=${a.artistId}&sort=title&limit=2&offset=${offset}`,
        );
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ limit: 2, offset });
        pages.push(res.body);
        seen.push(...ids(res.body));
        offset = res.body.nextOffset;
      }
      expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
      expect(pages.map((p) => p.nextOffset)).toEqual([2, 4, null]);
      expect(new Set(seen).size).toBe(5);
      expect(pages.flatMap(titles)).toEqual([
        "Paged 0",
        "Paged 1",
        "Paged 2",
        "Paged 3",
        "Paged 4",
      ]);
      // Exactly one full page: no next page.
      const exact = await api.request("GET", `/api/v1/tracks?artistId=${a.artistId}&limit=5`);
      expect(exact.body.items).toHaveLength(5);
      expect(exact.body.nextOffset).toBeNull();
      // Past the end: empty, not an error.
      const past = await api.request("GET", `/api/v1/tracks?artistId=${a.artistId}&offset=50`);
      expect(past.status).toBe(200);
      expect(past.body).toMatchObject({ items: [], offset: 50, nextOffset: null });
      // Defaults.
      const def = await api.request("GET", "/api/v1/tracks");
      expect(def.body).toMatchObject({ limit: 20, offset: 0 });
    });

    it("filters by genre slug, genreId, artistId, albumId and year, alone and combined", async () => {
      const a = await registerArtist(api);
      const b = await registerArtist(api);
      const album = await createAlbum(a.accessToken, { title: "Filter Album" });
      const rock99 = await createTrack(a.accessToken, {
        title: "A rock 1999",
        genreId: genreId("rock"),
        year: 1999,
        albumId: album.id,
      });
      const jazz99 = await createTrack(a.accessToken, {
        title: "A jazz 1999",
        genreId: genreId("jazz"),
        year: 1999,
      });
      const rock05 = await createTrack(a.accessToken, {
        title: "A rock 2005",
        genreId: genreId("rock"),
        year: 2005,
        albumId: album.id,
      });
      const bRock = await createTrack(b.accessToken, {
        title: "B rock 1999",
        genreId: genreId("rock"),
        year: 1999,
      });
      const list = async (q: string) => {
        const res = await api.request("GET", `/api/v1/tracks?sort=title&limit=100&${q}`);
        expect(res.status).toBe(200);
        return ids(res.body).sort();
      };
      const sorted = (...t: Json[]) => t.map((x) => x.id).sort();
      expect(await list(`artistId=${a.artistId}`)).toEqual(sorted(rock99, jazz99, rock05));
      expect(await list(`artistId=${a.artistId}&genre=rock`)).toEqual(sorted(rock99, rock05));
      expect(await list(`artistId=${a.artistId}&genreId=${genreId("jazz")}`)).toEqual(
        sorted(jazz99),
      );
      expect(await list(`artistId=${a.artistId}&year=1999`)).toEqual(sorted(rock99, jazz99));
      expect(await list(`albumId=${album.id}`)).toEqual(sorted(rock99, rock05));
      expect(await list(`albumId=${album.id}&year=2005`)).toEqual(sorted(rock05));
      expect(await list(`artistId=${b.artistId}&genre=rock&year=1999`)).toEqual(sorted(bRock));
      // Across artists, the genre and year filters see both.
      const rock1999 = await list(`genre=rock&year=1999`);
      expect(rock1999).toEqual(expect.arrayContaining(sorted(rock99, bRock)));
      expect(rock1999).not.toContain(jazz99.id);
      // Every returned track really has the filtered genre.
      const byGenre = await api.request("GET", "/api/v1/tracks?genre=rock&limit=100");
      expect(byGenre.body.items.every((t: Json) => t.genre?.slug === "rock")).toBe(true);
      // An unknown slug matches nothing (and is not an error).
      expect(await list(`genre=no-such-genre`)).toEqual([]);
      expect(await list(`artistId=${a.artistId}&genre=metal`)).toEqual([]);
    });

    it("sorts by popularity (default), title (case-insensitive) and newest", async () => {
      const a = await registerArtist(api);
      const cherry = await createTrack(a.accessToken, { title: "cherry" });
      const apple = await createTrack(a.accessToken, { title: "Apple" });
      const banana = await createTrack(a.accessToken, { title: "banana" });
      await setPopularity(cherry.id, 40);
      await setPopularity(apple.id, 10);
      await setPopularity(banana.id, 90);
      const get = async (q: string) =>
        titles((await api.request("GET", `/api/v1/tracks?artistId=${a.artistId}${q}`)).body);
      expect(await get("")).toEqual(["banana", "cherry", "Apple"]);
      expect(await get("&sort=popularity")).toEqual(["banana", "cherry", "Apple"]);
      expect(await get("&sort=title")).toEqual(["Apple", "banana", "cherry"]);
      expect(await get("&sort=newest")).toEqual(["banana", "Apple", "cherry"]);
      const popular = (
        await api.request("GET", `/api/v1/tracks?artistId=${a.artistId}`)
      ).body.items.map((t: Json) => t.popularity);
      expect(popular).toEqual([90, 40, 10]);
    });

    it("PUT and PATCH change only the fields given; null clears album and genre", async () => {
      const album = await createAlbum(artist.accessToken, { title: "Update Album" });
      const t = await createTrack(artist.accessToken, {
        title: "Before",
        albumId: album.id,
        genreId: genreId("pop"),
        year: 2000,
        durationMs: 1000,
      });
      const put = await api.request("PUT", `/api/v1/tracks/${t.id}`, {
        token: artist.accessToken,
        body: { title: "After", year: 2001 },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        title: "After",
        year: 2001,
        durationMs: 1000,
        album: { id: album.id },
        genre: { slug: "pop" },
      });
      expect(Date.parse(put.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(t.updatedAt));
      const patch = await api.request("PATCH", `/api/v1/tracks/${t.id}`, {
        token: artist.accessToken,
        body: { genreId: genreId("jazz"), energy: 0.25 },
      });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({
        title: "After",
        year: 2001,
        genre: { slug: "jazz" },
        genreSource: "manual",
        energy: 0.25,
      });
      const cleared = await api.request("PATCH", `/api/v1/tracks/${t.id}`, {
        token: artist.accessToken,
        body: { albumId: null, genreId: null, year: null },
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({
        title: "After",
        album: null,
        genre: null,
        genreSource: null,
        year: null,
      });
      // And it persisted.
      const got = await api.request("GET", `/api/v1/tracks/${t.id}`);
      expect(got.body).toEqual(cleared.body);
      const albumNow = await api.request("GET", `/api/v1/albums/${album.id}`);
      expect(albumNow.body.trackCount).toBe(0);
      // An unknown genre on update → 422, and the track keeps its values.
      const bad = await api.request("PATCH", `/api/v1/tracks/${t.id}`, {
        token: artist.accessToken,
        body: { title: "Never", genreId: 99999 },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe("unknown_reference");
      expect((await api.request("GET", `/api/v1/tracks/${t.id}`)).body.title).toBe("After");
    });

    it("deletes a track: 204, then 404 everywhere, and a second delete is 404", async () => {
      const t = await createTrack(artist.accessToken, { title: "Doomed" });
      const del = await api.request("DELETE", `/api/v1/tracks/${t.id}`, {
        token: artist.accessToken,
      });
      expect(del.status).toBe(204);
      expect(del.body).toBe("");
      const got = await api.request("GET", `/api/v1/tracks/${t.id}`);
      expect(got.status).toBe(404);
      expect(got.body.code).toBe("track_not_found");
      const list = await api.request("GET", `/api/v1/tracks?artistId=${artist.artistId}&limit=100`);
      expect(ids(list.body)).not.toContain(t.id);
      const again = await api.request("DELETE", `/api/v1/tracks/${t.id}`, {
        token: artist.accessToken,
      });
      expect(again.status).toBe(404);
      const [row] = await api.runtime.ports.db
        .select()
        .from(schema.tracks)
        .where(eq(schema.tracks.id, t.id));
      expect(row).toBeUndefined();
    });

    it("/tracks/popular returns the most popular first, up to limit", async () => {
      const a = await registerArtist(api);
      const top = await createTrack(a.accessToken, { title: "Top hit" });
      const second = await createTrack(a.accessToken, { title: "Second hit" });
      await setPopularity(top.id, 100);
      await setPopularity(second.id, 99);
      const res = await api.request("GET", "/api/v1/tracks/popular?limit=2");
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual([top.id, second.id]);
      const def = await api.request("GET", "/api/v1/tracks/popular");
      expect(def.body.items.length).toBeLessThanOrEqual(20);
      expect(def.body.items[0].id).toBe(top.id);
      const pops = def.body.items.map((t: Json) => t.popularity);
      expect(pops).toEqual([...pops].sort((x: number, y: number) => y - x));
      const one = await api.request("GET", "/api/v1/tracks/popular?limit=1");
      expect(ids(one.body)).toEqual([top.id]);
    });
  });
});
