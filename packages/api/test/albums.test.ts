import { beforeAll, describe, expect, it } from "vitest";
import {
  registerArtist,
  registerUser,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";
import { catalogSuite, type ArtistSession, type Json } from "./support/catalog";

/** Albums and the genre reference list over HTTP. */
describe.each(wirings())("albums and genres ($name)", (wiring) => {
  const suite = catalogSuite(wiring);
  const { genreId, createTrack, createAlbum } = suite;
  let api: TestApi;
  beforeAll(() => {
    api = suite.api;
  });

  describe("albums", () => {
    let artist: ArtistSession;
    beforeAll(async () => {
      artist = await registerArtist(api);
    });

    it("creates an album, lists it, and returns it with its tracks in disc/track order", async () => {
      const album = await api.request("POST", "/api/v1/albums", {
        token: artist.accessToken,
        body: {
          title: "Night Drive",
          releaseDate: "2023-10-13",
          coverImageUrl: "https://example.com/c.jpg",
        },
      });
      expect(album.status).toBe(201);
      expect(album.body).toMatchObject({
        title: "Night Drive",
        releaseDate: "2023-10-13",
        coverImageUrl: "https://example.com/c.jpg",
        artist: { id: artist.artistId },
        trackCount: 0,
      });
      expect(album.body.tracks).toBeUndefined();
      const b2 = await createTrack(artist.accessToken, {
        title: "Side B first",
        albumId: album.body.id,
        discNumber: 2,
        trackNumber: 1,
      });
      const a2 = await createTrack(artist.accessToken, {
        title: "Second",
        albumId: album.body.id,
        discNumber: 1,
        trackNumber: 2,
      });
      const a1 = await createTrack(artist.accessToken, {
        title: "First",
        albumId: album.body.id,
        discNumber: 1,
        trackNumber: 1,
      });
      const got = await api.request("GET", `/api/v1/albums/${album.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id: album.body.id, title: "Night Drive", trackCount: 3 });
      expect(got.body.tracks.map((t: Json) => t.id)).toEqual([a1.id, a2.id, b2.id]);
      expect(got.body.tracks[0].coverUrl).toBe("https://example.com/c.jpg");
      const list = await api.request("GET", `/api/v1/albums?artistId=${artist.artistId}`);
      expect(list.status).toBe(200);
      expect(list.body.items.map((x: Json) => x.id)).toContain(album.body.id);
      const all = await api.request("GET", "/api/v1/albums?limit=100");
      expect(all.body.items.map((x: Json) => x.id)).toContain(album.body.id);
    });

    it("refuses a duplicate title for the same artist (any case) with 409; another artist may reuse it", async () => {
      await createAlbum(artist.accessToken, { title: "Same Name" });
      for (const title of ["Same Name", "same name", "SAME   NAME"]) {
        const dup = await api.request("POST", "/api/v1/albums", {
          token: artist.accessToken,
          body: { title },
        });
        expect(dup.status).toBe(409);
        expect(dup.body.code).toBe("album_exists");
      }
      const other = await registerArtist(api);
      const ok = await api.request("POST", "/api/v1/albums", {
        token: other.accessToken,
        body: { title: "Same Name" },
      });
      expect(ok.status).toBe(201);
      const mine = await api.request("GET", `/api/v1/albums?artistId=${artist.artistId}&limit=100`);
      expect(
        mine.body.items.filter((x: Json) => x.title.toLowerCase() === "same name"),
      ).toHaveLength(1);
    });

    it("a plain user cannot create an album (403 artist_role_required)", async () => {
      const s = await registerUser(api);
      const res = await api.request("POST", "/api/v1/albums", {
        token: s.accessToken,
        body: { title: "Wannabe" },
      });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("artist_role_required");
    });
  });

  describe("genres", () => {
    it("lists the seeded reference genres, sorted by name, including rock", async () => {
      const res = await api.request("GET", "/api/v1/genres");
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThanOrEqual(30);
      expect(res.body.items).toContainEqual(
        expect.objectContaining({ name: "Rock", slug: "rock", id: expect.any(Number) }),
      );
      expect(res.body.items.map((g: Json) => g.slug)).toEqual(
        expect.arrayContaining(["jazz", "hip-hop", "electronic", "classical", "drum-and-bass"]),
      );
      const names = res.body.items.map((g: Json) => g.name);
      expect(names).toEqual(
        [...names].sort((x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)),
      );
      expect(new Set(res.body.items.map((g: Json) => g.slug)).size).toBe(res.body.items.length);
    });

    it("counts each genre's tracks, so clients can offer only genres that have some", async () => {
      const count = async (slug: string) =>
        ((await api.request("GET", "/api/v1/genres")).body.items as Json[]).find(
          (g) => g.slug === slug,
        )!.trackCount as number;
      const before = await count("lo-fi");
      expect(before).toEqual(expect.any(Number));
      const artist = await registerArtist(api);
      await createTrack(artist.accessToken, { title: "Counted", genreId: genreId("lo-fi") });
      expect(await count("lo-fi")).toBe(before + 1);
    });
  });
});
