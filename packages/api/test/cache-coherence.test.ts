import { beforeAll, describe, expect, it } from "vitest";
import { registerArtist, wirings, type TestApi } from "@jonquils/local/testing/harness";
import { catalogSuite, ids, titles, type ArtistSession, type Json } from "./support/catalog";

/** A read after a write sees the write: the read caches (memory or Redis) are invalidated after commit. */
describe.each(wirings())("cache coherence ($name)", (wiring) => {
  const suite = catalogSuite(wiring);
  const { genreId, createTrack, createAlbum, setPopularity } = suite;
  let api: TestApi;
  beforeAll(() => {
    api = suite.api;
  });

  describe("cache correctness: a read after a write sees the write", () => {
    let artist: ArtistSession;
    beforeAll(async () => {
      artist = await registerArtist(api);
    });

    it("GET /tracks/{id} after PUT, PATCH and DELETE", async () => {
      const t = await createTrack(artist.accessToken, { title: "Cached v1", year: 2000 });
      expect((await api.request("GET", `/api/v1/tracks/${t.id}`)).body.title).toBe("Cached v1");
      expect((await api.request("GET", `/api/v1/tracks/${t.id}`)).body.title).toBe("Cached v1");
      await api.request("PUT", `/api/v1/tracks/${t.id}`, {
        token: artist.accessToken,
        body: { title: "Cached v2" },
      });
      expect((await api.request("GET", `/api/v1/tracks/${t.id}`)).body).toMatchObject({
        title: "Cached v2",
        year: 2000,
      });
      await api.request("PATCH", `/api/v1/tracks/${t.id}`, {
        token: artist.accessToken,
        body: { year: 2002, genreId: genreId("funk") },
      });
      expect((await api.request("GET", `/api/v1/tracks/${t.id}`)).body).toMatchObject({
        title: "Cached v2",
        year: 2002,
        genre: { slug: "funk" },
      });
      await api.request("DELETE", `/api/v1/tracks/${t.id}`, { token: artist.accessToken });
      expect((await api.request("GET", `/api/v1/tracks/${t.id}`)).status).toBe(404);
    });

    it("lists (plain, filtered, artist page) after create, update and delete", async () => {
      const a = await registerArtist(api);
      const byArtist = `/api/v1/tracks?artistId=${a.artistId}&sort=title`;
      const artistPage = `/api/v1/artists/${a.artistId}/tracks?sort=title`;
      const byGenre = `/api/v1/tracks?artistId=${a.artistId}&genre=soul`;
      const t = await createTrack(a.accessToken, { title: "List v1", genreId: genreId("soul") });
      for (const url of [byArtist, artistPage, byGenre])
        expect(titles((await api.request("GET", url)).body)).toEqual(["List v1"]);
      // A new track appears in lists already read.
      const t2 = await createTrack(a.accessToken, { title: "List extra" });
      expect(titles((await api.request("GET", byArtist)).body)).toEqual(["List extra", "List v1"]);
      expect(titles((await api.request("GET", artistPage)).body)).toEqual([
        "List extra",
        "List v1",
      ]);
      // A rename and a genre change show up.
      await api.request("PATCH", `/api/v1/tracks/${t.id}`, {
        token: a.accessToken,
        body: { title: "List v2", genreId: genreId("blues") },
      });
      expect(titles((await api.request("GET", byArtist)).body)).toEqual(["List extra", "List v2"]);
      expect(titles((await api.request("GET", artistPage)).body)).toEqual([
        "List extra",
        "List v2",
      ]);
      expect(titles((await api.request("GET", byGenre)).body)).toEqual([]);
      expect(
        titles(
          (await api.request("GET", `/api/v1/tracks?artistId=${a.artistId}&genre=blues`)).body,
        ),
      ).toEqual(["List v2"]);
      // A delete removes it.
      await api.request("DELETE", `/api/v1/tracks/${t2.id}`, { token: a.accessToken });
      expect(titles((await api.request("GET", byArtist)).body)).toEqual(["List v2"]);
      expect(titles((await api.request("GET", artistPage)).body)).toEqual(["List v2"]);
    });

    it("/tracks/popular after update and delete", async () => {
      const a = await registerArtist(api);
      const t = await createTrack(a.accessToken, { title: "Chart v1" });
      await setPopularity(t.id, 100);
      const first = await api.request("GET", "/api/v1/tracks/popular?limit=100");
      expect(titles(first.body)).toContain("Chart v1");
      await api.request("PUT", `/api/v1/tracks/${t.id}`, {
        token: a.accessToken,
        body: { title: "Chart v2" },
      });
      const renamed = await api.request("GET", "/api/v1/tracks/popular?limit=100");
      expect(titles(renamed.body)).toContain("Chart v2");
      expect(titles(renamed.body)).not.toContain("Chart v1");
      await api.request("DELETE", `/api/v1/tracks/${t.id}`, { token: a.accessToken });
      const gone = await api.request("GET", "/api/v1/tracks/popular?limit=100");
      expect(ids(gone.body)).not.toContain(t.id);
    });

    it("an album's track count and track list follow track writes", async () => {
      const album = await createAlbum(artist.accessToken, { title: "Counting" });
      expect((await api.request("GET", `/api/v1/albums/${album.id}`)).body.trackCount).toBe(0);
      const t = await createTrack(artist.accessToken, { title: "Counted", albumId: album.id });
      const got = await api.request("GET", `/api/v1/albums/${album.id}`);
      expect(got.body.trackCount).toBe(1);
      expect(got.body.tracks.map((x: Json) => x.id)).toEqual([t.id]);
      await api.request("DELETE", `/api/v1/tracks/${t.id}`, { token: artist.accessToken });
      expect((await api.request("GET", `/api/v1/albums/${album.id}`)).body).toMatchObject({
        trackCount: 0,
        tracks: [],
      });
    });
  });
});
