import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import {
  promoteToAdmin,
  registerArtist,
  registerUser,
  startTestApi,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";

type AdminSession = Awaited<ReturnType<typeof promoteToAdmin>>;
type ArtistSession = Awaited<ReturnType<typeof registerArtist>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;

describe.each(wirings())("catalog ($name)", (wiring) => {
  let api: TestApi;
  let genres: Map<string, number>;

  beforeAll(async () => {
    api = await startTestApi(wiring);
    const res = await api.request("GET", "/api/v1/genres");
    genres = new Map(res.body.items.map((g: Json) => [g.slug, g.id]));
  });
  afterAll(() => api.close());

  const genreId = (slug: string) => {
    const id = genres.get(slug);
    if (id === undefined) throw new Error(`no genre ${slug}`);
    return id;
  };

  async function createTrack(token: string, body: Record<string, unknown>): Promise<Json> {
    const res = await api.request("POST", "/api/v1/tracks", { token, body });
    if (res.status !== 201)
      throw new Error(`create track failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async function createAlbum(token: string, body: Record<string, unknown>): Promise<Json> {
    const res = await api.request("POST", "/api/v1/albums", { token, body });
    if (res.status !== 201)
      throw new Error(`create album failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Sets popularity directly, as the analytics job does. Call before the first cached read of a list. */
  async function setPopularity(id: string, popularity: number) {
    await api.runtime.ports.db
      .update(schema.tracks)
      .set({ popularity })
      .where(eq(schema.tracks.id, id));
  }

  const titles = (page: Json) => page.items.map((t: Json) => t.title);
  const ids = (page: Json) => page.items.map((t: Json) => t.id);

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

  describe("artists", () => {
    it("becoming an artist links the profile and raises the role (after refresh)", async () => {
      const s = await registerUser(api);
      const res = await api.request("POST", "/api/v1/artists", {
        token: s.accessToken,
        body: {
          name: "  Nova   Drift ",
          bio: "Ambient duo",
          country: "se",
          imageUrl: "https://example.com/nova.jpg",
        },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: "Nova Drift",
        bio: "Ambient duo",
        country: "SE",
        imageUrl: "https://example.com/nova.jpg",
        userId: s.user.id,
      });
      const refreshed = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: s.refreshToken },
      });
      expect(refreshed.body.user).toMatchObject({ role: "artist", artistId: res.body.id });
      const me = await api.request("GET", "/api/v1/auth/me", { token: refreshed.body.accessToken });
      expect(me.body).toMatchObject({ role: "artist", artistId: res.body.id });
      // The new role works: the artist can publish.
      const t = await api.request("POST", "/api/v1/tracks", {
        token: refreshed.body.accessToken,
        body: { title: "Nova track" },
      });
      expect(t.status).toBe(201);
      expect(t.body.artist).toEqual({ id: res.body.id, name: "Nova Drift" });
      const got = await api.request("GET", `/api/v1/artists/${res.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    });

    it("refuses a second artist profile for the same account with 409 already_artist", async () => {
      const a = await registerArtist(api);
      const res = await api.request("POST", "/api/v1/artists", {
        token: a.accessToken,
        body: { name: `Second ${randomUUID().slice(0, 8)}` },
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("already_artist");
    });

    it("refuses a name already taken, whatever the case or spacing, with 409; the user stays a plain user", async () => {
      await registerArtist(api, "Velvet Static");
      // Full-width letters are the same name too (NFKC).
      for (const name of [
        "velvet static",
        "VELVET   STATIC",
        " Velvet Static ",
        "Ｖｅｌｖｅｔ Ｓｔａｔｉｃ",
      ]) {
        const s = await registerUser(api);
        const res = await api.request("POST", "/api/v1/artists", {
          token: s.accessToken,
          body: { name },
        });
        expect(res.status).toBe(409);
        expect(res.body.code).toBe("artist_name_taken");
        const refreshed = await api.request("POST", "/api/v1/auth/refresh", {
          body: { refreshToken: s.refreshToken },
        });
        expect(refreshed.body.user).toMatchObject({ role: "user", artistId: null });
      }
    });

    it("an admin who becomes an artist stays an admin; only admins create unlinked artists", async () => {
      const admin = await promoteToAdmin(api, await registerUser(api));
      const own = await api.request("POST", "/api/v1/artists", {
        token: admin.accessToken,
        body: { name: "Admin Band" },
      });
      expect(own.status).toBe(201);
      const refreshed = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: admin.refreshToken },
      });
      expect(refreshed.body.user.role).toBe("admin");
      const unlinked = await api.request("POST", "/api/v1/artists", {
        token: admin.accessToken,
        body: { name: "Tag Only Artist", unlinked: true },
      });
      expect(unlinked.status).toBe(201);
      expect(unlinked.body.userId).toBeNull();
      const user = await registerUser(api);
      const refused = await api.request("POST", "/api/v1/artists", {
        token: user.accessToken,
        body: { name: "Sneaky Unlinked", unlinked: true },
      });
      expect(refused.status).toBe(403);
      const still = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: user.refreshToken },
      });
      expect(still.body.user.role).toBe("user");
      expect((await api.request("GET", "/api/v1/artists?q=sneaky")).body.items).toEqual([]);
    });

    it("lists artists by name, searching with q case-insensitively; % and _ are literal", async () => {
      const tag = randomUUID().slice(0, 6);
      await registerArtist(api, `Quasar ${tag} Alpha`);
      await registerArtist(api, `quasar ${tag} beta`);
      await registerArtist(api, `Other ${tag}`);
      const res = await api.request(
        "GET",
        `/api/v1/artists?q=${encodeURIComponent(`QUASAR ${tag}`)}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.map((a: Json) => a.name)).toEqual([
        `Quasar ${tag} Alpha`,
        `quasar ${tag} beta`,
      ]);
      const sub = await api.request("GET", `/api/v1/artists?q=${tag}`);
      expect(sub.body.items).toHaveLength(3);
      expect((await api.request("GET", "/api/v1/artists?q=%25")).body.items).toEqual([]);
      expect((await api.request("GET", "/api/v1/artists?q=_")).body.items).toEqual([]);
      const paged = await api.request("GET", `/api/v1/artists?q=${tag}&limit=2`);
      expect(paged.body).toMatchObject({ limit: 2, offset: 0, nextOffset: 2 });
      const all = await api.request("GET", "/api/v1/artists?limit=100");
      const names = all.body.items.map((a: Json) => a.name.toLowerCase());
      expect(names).toEqual([...names].sort());
    });

    it("/{id}/tracks and /{id}/albums show only that artist's catalog", async () => {
      const a = await registerArtist(api);
      const b = await registerArtist(api);
      const older = await createAlbum(a.accessToken, { title: "Older", releaseDate: "2001-01-01" });
      const newer = await createAlbum(a.accessToken, { title: "Newer", releaseDate: "2020-01-01" });
      await createAlbum(b.accessToken, { title: "Not yours" });
      const t1 = await createTrack(a.accessToken, { title: "A one", genreId: genreId("rock") });
      const t2 = await createTrack(a.accessToken, { title: "A two", genreId: genreId("pop") });
      await createTrack(b.accessToken, { title: "B one" });
      const tracks = await api.request("GET", `/api/v1/artists/${a.artistId}/tracks?sort=title`);
      expect(tracks.status).toBe(200);
      expect(ids(tracks.body)).toEqual([t1.id, t2.id]);
      const rock = await api.request("GET", `/api/v1/artists/${a.artistId}/tracks?genre=rock`);
      expect(ids(rock.body)).toEqual([t1.id]);
      const albums = await api.request("GET", `/api/v1/artists/${a.artistId}/albums`);
      expect(albums.status).toBe(200);
      expect(albums.body.items.map((x: Json) => x.id)).toEqual([newer.id, older.id]);
      expect(albums.body.items.every((x: Json) => x.artist.id === a.artistId)).toBe(true);
    });
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

  describe("authorization", () => {
    let a: ArtistSession;
    let b: ArtistSession;
    let admin: AdminSession;
    let bTrack: Json;
    beforeAll(async () => {
      a = await registerArtist(api);
      b = await registerArtist(api);
      admin = await promoteToAdmin(api, await registerUser(api));
      bTrack = await createTrack(b.accessToken, { title: "B original", year: 2010 });
    });

    it("a plain user cannot create a track (403 artist_role_required)", async () => {
      const s = await registerUser(api);
      const res = await api.request("POST", "/api/v1/tracks", {
        token: s.accessToken,
        body: { title: "Not allowed" },
      });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("artist_role_required");
      const [row] = await api.runtime.ports.db
        .select()
        .from(schema.tracks)
        .where(eq(schema.tracks.title, "Not allowed"));
      expect(row).toBeUndefined();
    });

    it("anonymous writes are 401", async () => {
      expect((await api.request("POST", "/api/v1/tracks", { body: { title: "x" } })).status).toBe(
        401,
      );
      expect(
        (await api.request("PATCH", `/api/v1/tracks/${bTrack.id}`, { body: { title: "x" } }))
          .status,
      ).toBe(401);
      expect((await api.request("DELETE", `/api/v1/tracks/${bTrack.id}`)).status).toBe(401);
      expect((await api.request("POST", "/api/v1/albums", { body: { title: "x" } })).status).toBe(
        401,
      );
      expect((await api.request("POST", "/api/v1/artists", { body: { name: "x" } })).status).toBe(
        401,
      );
    });

    it("artist A cannot update or delete artist B's track (403 not_owner); the track is unchanged", async () => {
      // Read it first so a cached copy exists that a leaked change would have to invalidate.
      const before = (await api.request("GET", `/api/v1/tracks/${bTrack.id}`)).body;
      for (const method of ["PUT", "PATCH"]) {
        const res = await api.request(method, `/api/v1/tracks/${bTrack.id}`, {
          token: a.accessToken,
          body: { title: "Hijacked", year: 1999 },
        });
        expect(res.status).toBe(403);
        expect(res.body.code).toBe("not_owner");
      }
      const del = await api.request("DELETE", `/api/v1/tracks/${bTrack.id}`, {
        token: a.accessToken,
      });
      expect(del.status).toBe(403);
      expect(del.body.code).toBe("not_owner");
      const after = await api.request("GET", `/api/v1/tracks/${bTrack.id}`);
      expect(after.status).toBe(200);
      expect(after.body).toEqual(before);
      const [row] = await api.runtime.ports.db
        .select()
        .from(schema.tracks)
        .where(eq(schema.tracks.id, bTrack.id));
      expect(row).toMatchObject({ title: "B original", year: 2010 });
    });

    it("an artist cannot create a track for another artist (403 not_owner)", async () => {
      const res = await api.request("POST", "/api/v1/tracks", {
        token: a.accessToken,
        body: { title: "Impersonation", artistId: b.artistId },
      });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("not_owner");
      const list = await api.request("GET", `/api/v1/tracks?artistId=${b.artistId}&limit=100`);
      expect(titles(list.body)).not.toContain("Impersonation");
    });

    it("an artist cannot put a track in another artist's album (422), on create or on update", async () => {
      const bAlbum = await createAlbum(b.accessToken, { title: "B's album" });
      const create = await api.request("POST", "/api/v1/tracks", {
        token: a.accessToken,
        body: { title: "Squatter", albumId: bAlbum.id },
      });
      expect(create.status).toBe(422);
      expect(create.body.code).toBe("album_mismatch");
      const mine = await createTrack(a.accessToken, { title: "A's own" });
      const move = await api.request("PATCH", `/api/v1/tracks/${mine.id}`, {
        token: a.accessToken,
        body: { albumId: bAlbum.id },
      });
      expect(move.status).toBe(422);
      expect(move.body.code).toBe("album_mismatch");
      expect((await api.request("GET", `/api/v1/tracks/${mine.id}`)).body.album).toBeNull();
      const album = await api.request("GET", `/api/v1/albums/${bAlbum.id}`);
      expect(album.body.tracks).toEqual([]);
    });

    it("an admin can update and delete anyone's track, and create one for a named artist", async () => {
      const t = await createTrack(b.accessToken, { title: "Admin target" });
      const upd = await api.request("PATCH", `/api/v1/tracks/${t.id}`, {
        token: admin.accessToken,
        body: { title: "Moderated" },
      });
      expect(upd.status).toBe(200);
      expect(upd.body).toMatchObject({ title: "Moderated", artist: { id: b.artistId } });
      const del = await api.request("DELETE", `/api/v1/tracks/${t.id}`, {
        token: admin.accessToken,
      });
      expect(del.status).toBe(204);
      expect((await api.request("GET", `/api/v1/tracks/${t.id}`)).status).toBe(404);
      const created = await api.request("POST", "/api/v1/tracks", {
        token: admin.accessToken,
        body: { title: "For B by admin", artistId: b.artistId },
      });
      expect(created.status).toBe(201);
      expect(created.body.artist.id).toBe(b.artistId);
      // B still owns it and can change it.
      const own = await api.request("PATCH", `/api/v1/tracks/${created.body.id}`, {
        token: b.accessToken,
        body: { year: 2024 },
      });
      expect(own.status).toBe(200);
      // Without an artistId (and no profile of their own), an admin must say whose track it is.
      const vague = await api.request("POST", "/api/v1/tracks", {
        token: admin.accessToken,
        body: { title: "Whose?" },
      });
      expect(vague.status).toBe(422);
      expect(vague.body.code).toBe("artist_id_required");
      const unknown = await api.request("POST", "/api/v1/tracks", {
        token: admin.accessToken,
        body: { title: "Ghost", artistId: randomUUID() },
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe("artist_not_found");
    });
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

  describe("audit log", () => {
    async function audit(entityId: string) {
      return api.runtime.ports.db
        .select()
        .from(schema.auditLog)
        .where(eq(schema.auditLog.entityId, entityId))
        .orderBy(schema.auditLog.id);
    }
    const actions = async (entityId: string) => (await audit(entityId)).map((r) => r.action);

    it("records register and login (and a failed login) against the user", async () => {
      const s = await registerUser(api);
      const ok = await api.request("POST", "/api/v1/auth/login", {
        body: { login: s.user.username, password: "correct horse battery" },
        ip: "198.51.100.9",
      });
      expect(ok.status).toBe(200);
      const bad = await api.request("POST", "/api/v1/auth/login", {
        body: { login: s.user.username, password: "wrong password" },
        ip: "198.51.100.9",
      });
      expect(bad.status).toBe(401);
      expect(await actions(s.user.id)).toEqual([
        "user.register",
        "auth.login",
        "auth.login_failed",
      ]);
      const rows = await audit(s.user.id);
      expect(rows.every((r) => r.userId === s.user.id)).toBe(true);
      expect(rows[1]).toMatchObject({
        entityType: "user",
        ip: "198.51.100.9",
        requestId: expect.any(String),
      });
    });

    it("records track create, update and delete, by whom", async () => {
      const a = await registerArtist(api);
      const t = await createTrack(a.accessToken, { title: "Audited" });
      await api.request("PATCH", `/api/v1/tracks/${t.id}`, {
        token: a.accessToken,
        body: { title: "Audited 2" },
      });
      await api.request("PUT", `/api/v1/tracks/${t.id}`, {
        token: a.accessToken,
        body: { year: 2020 },
      });
      await api.request("DELETE", `/api/v1/tracks/${t.id}`, { token: a.accessToken });
      const rows = await audit(t.id);
      expect(rows.map((r) => r.action)).toEqual([
        "track.create",
        "track.update",
        "track.update",
        "track.delete",
      ]);
      expect(rows.every((r) => r.userId === a.user.id && r.entityType === "track")).toBe(true);
      expect(rows[1]!.details).toMatchObject({ fields: ["title"] });
    });

    it("a refused write leaves no audit row claiming it happened", async () => {
      const a = await registerArtist(api);
      const b = await registerArtist(api);
      const t = await createTrack(b.accessToken, { title: "Guarded" });
      await api.request("PATCH", `/api/v1/tracks/${t.id}`, {
        token: a.accessToken,
        body: { title: "x" },
      });
      await api.request("DELETE", `/api/v1/tracks/${t.id}`, { token: a.accessToken });
      expect(await actions(t.id)).toEqual(["track.create"]);
    });

    it("records album and artist creation", async () => {
      const s = await registerUser(api);
      const artist = await api.request("POST", "/api/v1/artists", {
        token: s.accessToken,
        body: { name: `Audit ${s.user.username}` },
      });
      expect(await actions(artist.body.id)).toEqual(["artist.create"]);
      const album = await createAlbum(s.accessToken, { title: "Audit album" });
      const rows = await audit(album.id);
      expect(rows.map((r) => r.action)).toEqual(["album.create"]);
      expect(rows[0]).toMatchObject({ userId: s.user.id, entityType: "album" });
    });

    it("records every playlist change", async () => {
      const a = await registerArtist(api);
      const t1 = await createTrack(a.accessToken, { title: "P1" });
      const t2 = await createTrack(a.accessToken, { title: "P2" });
      const s = await registerUser(api);
      const p = await api.request("POST", "/api/v1/playlists", {
        token: s.accessToken,
        body: { title: "Audited list" },
      });
      const id = p.body.id;
      await api.request("PATCH", `/api/v1/playlists/${id}`, {
        token: s.accessToken,
        body: { isPublic: true },
      });
      await api.request("POST", `/api/v1/playlists/${id}/tracks`, {
        token: s.accessToken,
        body: { trackId: t1.id },
      });
      await api.request("POST", `/api/v1/playlists/${id}/tracks`, {
        token: s.accessToken,
        body: { trackId: t2.id },
      });
      await api.request("PUT", `/api/v1/playlists/${id}/tracks`, {
        token: s.accessToken,
        body: { trackIds: [t2.id, t1.id] },
      });
      await api.request("DELETE", `/api/v1/playlists/${id}/tracks/${t1.id}`, {
        token: s.accessToken,
      });
      await api.request("DELETE", `/api/v1/playlists/${id}`, { token: s.accessToken });
      const rows = await audit(id);
      expect(rows.map((r) => r.action)).toEqual([
        "playlist.create",
        "playlist.update",
        "playlist.add_track",
        "playlist.add_track",
        "playlist.reorder",
        "playlist.remove_track",
        "playlist.delete",
      ]);
      expect(rows.every((r) => r.userId === s.user.id && r.entityType === "playlist")).toBe(true);
      const [added] = await api.runtime.ports.db
        .select()
        .from(schema.auditLog)
        .where(
          and(eq(schema.auditLog.entityId, id), eq(schema.auditLog.action, "playlist.add_track")),
        )
        .orderBy(schema.auditLog.id)
        .limit(1);
      expect(added!.details).toMatchObject({ trackId: t1.id, position: 0 });
    });
  });
});
