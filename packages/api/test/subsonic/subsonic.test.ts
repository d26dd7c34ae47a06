import { schema } from "@jonquils/core";
import { hashPassword } from "@jonquils/core/auth/password";
import { wirings } from "@jonquils/local/testing/harness";
import { eq } from "drizzle-orm";
import { XMLParser } from "fast-xml-parser";
import { createHash } from "node:crypto";
import { SubsonicAPI } from "subsonic-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { responses } from "./schemas";
import { startSubsonicServer } from "./server";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;
const md5 = (s: string) => createHash("md5").update(s).digest("hex");

/** Validates a `subsonic-response` body against its schema and returns it. */
function valid<K extends keyof typeof responses>(
  kind: K,
  body: unknown,
): z.infer<(typeof responses)[K]> {
  const result = responses[kind].safeParse(body);
  if (!result.success)
    throw new Error(
      `${kind} does not match the OpenSubsonic schema: ${result.error.message}\n${JSON.stringify(body).slice(0, 2000)}`,
    );
  return result.data as z.infer<(typeof responses)[K]>;
}

describe.each(wirings())("Subsonic API with real clients ($name)", (wiring) => {
  let server: Awaited<ReturnType<typeof startSubsonicServer>>;
  let rest: (method: string, path: string, body?: unknown, token?: string) => Promise<Json>;
  let artistToken: string;
  let userToken: string;
  let username: string;
  let bcryptOnly: string;
  let appPassword: string;
  let apiKey: string;
  const ids: Record<string, string> = {};
  let client: SubsonicAPI;
  let keyClient: SubsonicAPI;
  /** GET /rest/<method> with raw parameters; the JSON (f=json) or text body. */
  let raw: (
    method: string,
    params: Record<string, string | string[]>,
    init?: RequestInit,
  ) => Promise<Response>;
  let json: (method: string, params: Record<string, string | string[]>) => Promise<Json>;

  beforeAll(async () => {
    server = await startSubsonicServer(wiring, { LOGIN_MAX_FAILURES: "3" });
    rest = async (method, path, body, token) => {
      const res = await fetch(server.base + path, {
        method,
        headers: {
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    };
    const register = async (name: string) =>
      rest("POST", "/api/v1/auth/register", {
        username: name,
        email: `${name}@example.com`,
        password: "correct horse battery",
      });
    const suffix = Math.random().toString(36).slice(2, 8);
    const artist = await register(`band${suffix}`);
    await rest("POST", "/api/v1/artists", { name: "The Jonquils" }, artist.accessToken);
    artistToken = (
      await rest("POST", "/api/v1/auth/refresh", { refreshToken: artist.refreshToken })
    ).accessToken;
    username = `fan${suffix}`;
    userToken = (await register(username)).accessToken;
    bcryptOnly = `plain${suffix}`;
    await register(bcryptOnly);
    appPassword = (await rest("POST", "/api/v1/auth/app-passwords", { name: "Phone" }, userToken))
      .password;
    apiKey = (await rest("POST", "/api/v1/auth/api-keys", { name: "CLI" }, userToken)).apiKey;

    const genres = await rest("GET", "/api/v1/genres");
    const genreList = genres.items ?? genres;
    const rock = genreList.find((g: Json) => g.slug === "rock") ?? genreList[0];
    const jazz = genreList.find((g: Json) => g.slug === "jazz") ?? genreList[1];
    ids.rock = rock.name;
    const album = await rest(
      "POST",
      "/api/v1/albums",
      { title: "Spring Songs", releaseDate: "2024-03-01" },
      artistToken,
    );
    ids.album = album.id;
    const specs = [
      {
        title: "Yellow Morning",
        tempo: 120,
        energy: 0.8,
        valence: 0.8,
        loudness: -8,
        genreId: rock.id,
        trackNumber: 1,
      },
      {
        title: "Yellow Noon",
        tempo: 124,
        energy: 0.75,
        valence: 0.75,
        loudness: -9,
        genreId: rock.id,
        trackNumber: 2,
      },
      {
        title: "Grey Evening",
        tempo: 80,
        energy: 0.3,
        valence: 0.2,
        loudness: -20,
        genreId: jazz.id,
        trackNumber: 3,
      },
      { title: "Midnight", tempo: 60, energy: 0.1, valence: 0.1, loudness: -28, genreId: jazz.id },
    ];
    for (const [i, s] of specs.entries()) {
      const t = await rest(
        "POST",
        "/api/v1/tracks",
        {
          ...s,
          durationMs: 200_000 + i * 1000,
          year: 2024,
          ...(i < 3 ? { albumId: album.id } : {}),
        },
        artistToken,
      );
      ids[`t${i}`] = t.id;
    }
    ids.artist = (await rest("GET", `/api/v1/tracks/${ids.t0}`)).artist.id;
    // An audio file for t0, put where the pipeline would (the bytes only matter for Range).
    const audio = Buffer.alloc(64 * 1024);
    for (let i = 0; i < audio.length; i++) audio[i] = i % 251;
    await server.store.put("tracks", `test/${ids.t0}.mp3`, audio, "audio/mpeg");
    await server.runtime.ports.db
      .update(schema.tracks)
      .set({ filePath: `test/${ids.t0}.mp3`, fileFormat: "mp3", fileSizeBytes: audio.length })
      .where(eq(schema.tracks.id, ids.t0!));

    client = new SubsonicAPI({ url: server.base, auth: { username, password: appPassword } });
    keyClient = new SubsonicAPI({ url: server.base, auth: { apiKey } });
    raw = (method, params, init) => {
      const url = new URL(`${server.base}/rest/${method}`);
      for (const [k, v] of Object.entries(params))
        for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x);
      return fetch(url, init);
    };
    json = async (method, params) => {
      const res = await raw(method, { f: "json", v: "1.16.1", c: "test", ...params });
      expect(res.status).toBe(200);
      return ((await res.json()) as Json)["subsonic-response"];
    };
  }, 60_000);
  afterAll(() => server?.close());

  describe("auth matrix", () => {
    it("accepts the account password as p and p=enc:, and an app password", async () => {
      valid("ping", await json("ping", { u: username, p: "correct horse battery" }));
      expect((await json("ping", { u: username, p: "correct horse battery" })).status).toBe("ok");
      const enc = "enc:" + Buffer.from("correct horse battery").toString("hex");
      expect((await json("ping", { u: username, p: enc })).status).toBe("ok");
      expect((await json("ping", { u: username, p: appPassword })).status).toBe("ok");
    });

    it("accepts t+s with an app password, and apiKey", async () => {
      const s = "c19b2d";
      expect((await json("ping", { u: username, t: md5(appPassword + s), s })).status).toBe("ok");
      expect((await json("ping", { apiKey })).status).toBe("ok");
    });

    it("answers 43 for u+apiKey and for p with t, 44 for a bad key, 10 when credentials are missing", async () => {
      const mixed = valid("ping", await json("ping", { u: username, apiKey }));
      expect(mixed.status).toBe("failed");
      expect(mixed.error?.code).toBe(43);
      expect((await json("ping", { u: username, p: appPassword, t: "x", s: "y" })).error.code).toBe(
        43,
      );
      expect((await json("ping", { apiKey: "jqk_not-a-real-key" })).error.code).toBe(44);
      expect((await json("ping", {})).error.code).toBe(10);
      expect((await json("ping", { u: username })).error.code).toBe(10);
    });

    it("answers 41 with a helpUrl for token auth against an account with only a bcrypt password", async () => {
      const s = "abcdef";
      const res = valid(
        "ping",
        await json("ping", { u: bcryptOnly, t: md5("correct horse battery" + s), s }),
      );
      expect(res.error?.code).toBe(41);
      expect(res.error?.helpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    });

    it("answers 40 for a wrong password and a wrong token, and locks out like the REST login", async () => {
      const ip = { "x-test-ip": "198.51.100.7" };
      const call = async (params: Record<string, string>) =>
        ((await (await raw("ping", { f: "json", ...params }, { headers: ip })).json()) as Json)[
          "subsonic-response"
        ];
      expect((await call({ u: bcryptOnly, p: "nope" })).error.code).toBe(40);
      expect((await call({ u: bcryptOnly, t: md5("nope" + "s1"), s: "s1" })).error.code).toBe(41);
      await call({ u: bcryptOnly, p: "nope2" });
      await call({ u: bcryptOnly, p: "nope3" });
      const locked = await call({ u: bcryptOnly, p: "correct horse battery" });
      expect(locked.status).toBe("failed");
      expect(locked.error.message).toMatch(/Too many failed sign-ins/);
      // Another IP is not locked out.
      expect((await json("ping", { u: bcryptOnly, p: "correct horse battery" })).status).toBe("ok");
    });

    it("serves getOpenSubsonicExtensions without credentials, advertising only what works", async () => {
      const res = valid("getOpenSubsonicExtensions", await json("getOpenSubsonicExtensions", {}));
      expect(res.status).toBe("ok");
      expect(res.openSubsonicExtensions.map((e) => e.name).sort()).toEqual([
        "apiKeyAuthentication",
        "formPost",
        // getLyricsBySongId: packages/pipeline/test/lyrics.test.ts ingests real files with lyrics.
        "songLyrics",
        "sonicSimilarity",
      ]);
    });

    it("a revoked app password stops working at once", async () => {
      const extra = await rest("POST", "/api/v1/auth/app-passwords", { name: "Old" }, userToken);
      expect((await json("ping", { u: username, p: extra.password })).status).toBe("ok");
      await rest("DELETE", `/api/v1/auth/app-passwords/${extra.id}`, undefined, userToken);
      expect((await json("ping", { u: username, p: extra.password })).error.code).toBe(40);
    });

    it("a remembered sign-in ends when the account is disabled (at once) or its password changes", async () => {
      const name = `moving${Math.random().toString(36).slice(2, 8)}`;
      const session = await rest("POST", "/api/v1/auth/register", {
        username: name,
        email: `${name}@example.com`,
        password: "correct horse battery",
      });
      const keyOf = await rest(
        "POST",
        "/api/v1/auth/app-passwords",
        { name: "Car" },
        session.accessToken,
      );
      const account = { u: name, p: "correct horse battery" };
      const token = { u: name, t: md5(keyOf.password + "salt9"), s: "salt9" };
      // Signed in (and remembered for 30 s) with the account password and with an app password.
      expect((await json("ping", account)).status).toBe("ok");
      expect((await json("ping", token)).status).toBe("ok");

      // An admin disables the account: both remembered sign-ins are refused on the next request.
      const adminName = `boss${Math.random().toString(36).slice(2, 8)}`;
      const admin = await rest("POST", "/api/v1/auth/register", {
        username: adminName,
        email: `${adminName}@example.com`,
        password: "correct horse battery",
      });
      await server.runtime.ports.db
        .update(schema.users)
        .set({ role: "admin" })
        .where(eq(schema.users.id, admin.user.id));
      const adminToken = (
        await rest("POST", "/api/v1/auth/refresh", { refreshToken: admin.refreshToken })
      ).accessToken;
      await rest(
        "PATCH",
        `/api/v1/admin/users/${session.user.id}`,
        { isActive: false },
        adminToken,
      );
      expect((await json("ping", account)).error.code).toBe(50);
      expect((await json("ping", token)).error.code).toBe(50);
      await rest("PATCH", `/api/v1/admin/users/${session.user.id}`, { isActive: true }, adminToken);
      expect((await json("ping", account)).status).toBe("ok");

      // The password changes under the server (no route does it yet: the catalog is changed
      // directly, so no process is told): the remembered sign-in with the old password ends
      // once the account state is read again (within 5 s), and the new password works.
      await server.runtime.ports.db
        .update(schema.users)
        .set({ passwordHash: await hashPassword("a brand new passphrase", 4) })
        .where(eq(schema.users.id, session.user.id));
      await new Promise((r) => setTimeout(r, 5_200));
      expect((await json("ping", account)).error.code).toBe(40);
      expect((await json("ping", { u: name, p: "a brand new passphrase" })).status).toBe("ok");
      // App passwords are their own credentials: they keep working.
      expect((await json("ping", token)).status).toBe("ok");
    }, 30_000);
  });

  describe("the npm client subsonic-api (token auth with an app password)", () => {
    it("system: ping, license, music folders, user; tokenInfo with an API key", async () => {
      valid("ping", await client.ping());
      valid("getLicense", await client.getLicense());
      valid("getMusicFolders", await client.getMusicFolders());
      const user = valid("getUser", await client.getUser({ username }));
      expect(user.user.username).toBe(username);
      expect(((await client.getUser({ username: bcryptOnly })) as Json).error.code).toBe(50);
      const info = valid(
        "tokenInfo",
        await keyClient
          .custom("tokenInfo.view", {})
          .then((r) => r.json() as Promise<Json>)
          .then((b) => b["subsonic-response"]),
      );
      expect(info.tokenInfo.username).toBe(username);
    });

    it("browses by tags: artists, artist, album, song, genres", async () => {
      const artists = valid("getArtists", await client.getArtists());
      const all = artists.artists.index!.flatMap((i) => i.artist);
      const ours = all.find((a) => a.name === "The Jonquils")!;
      expect(ours.id).toBe(`ar-${ids.artist}`);
      const artist = valid("getArtist", await client.getArtist({ id: ours.id }));
      expect(artist.artist.album!.map((a) => a.name)).toEqual(["Spring Songs"]);
      const album = valid("getAlbum", await client.getAlbum({ id: `al-${ids.album}` }));
      expect(album.album.song!.map((s) => s.title)).toEqual([
        "Yellow Morning",
        "Yellow Noon",
        "Grey Evening",
      ]);
      expect(album.album.songCount).toBe(3);
      expect(album.album.year).toBe(2024);
      const song = valid("getSong", await client.getSong({ id: `tr-${ids.t0}` }));
      expect(song.song).toMatchObject({
        title: "Yellow Morning",
        suffix: "mp3",
        contentType: "audio/mpeg",
        bpm: 120,
        duration: 200,
      });
      const genres = valid("getGenres", await client.getGenres());
      expect(genres.genres.genre!.find((g) => g.value === ids.rock)?.songCount).toBe(2);
      expect(
        ((await client.getAlbum({ id: "al-00000000-0000-0000-0000-000000000000" })) as Json).error
          .code,
      ).toBe(70);
      expect(((await client.getSong({ id: "nonsense" })) as Json).error.code).toBe(70);
    });

    it("getAlbumList2 answers every list type", async () => {
      for (const type of [
        "random",
        "newest",
        "highest",
        "frequent",
        "alphabeticalByName",
        "alphabeticalByArtist",
      ] as const) {
        const res = valid("getAlbumList2", await client.getAlbumList2({ type, size: 10 }));
        expect(res.albumList2.album!.map((a) => a.id)).toEqual([`al-${ids.album}`]);
      }
      const byYear = valid(
        "getAlbumList2",
        await client.getAlbumList2({ type: "byYear", fromYear: 2020, toYear: 2025 }),
      );
      expect(byYear.albumList2.album).toHaveLength(1);
      const notYear = valid(
        "getAlbumList2",
        await client.getAlbumList2({ type: "byYear", fromYear: 1990, toYear: 1999 }),
      );
      expect(notYear.albumList2.album ?? []).toHaveLength(0);
      const byGenre = valid(
        "getAlbumList2",
        await client.getAlbumList2({ type: "byGenre", genre: ids.rock! }),
      );
      expect(byGenre.albumList2.album).toHaveLength(1);
      const starred = valid("getAlbumList2", await client.getAlbumList2({ type: "starred" }));
      expect(starred.albumList2.album ?? []).toHaveLength(0);
      const recent = valid("getAlbumList2", await client.getAlbumList2({ type: "recent" }));
      expect(recent.albumList2.album ?? []).toHaveLength(0);
      expect(((await client.getAlbumList2({ type: "byGenre" } as never)) as Json).error.code).toBe(
        10,
      );
      valid("getAlbumList", await client.getAlbumList({ type: "newest" }));
    });

    it("folder browsing for DSub: indexes, directories, search2, starred", async () => {
      const indexes = valid("getIndexes", await client.getIndexes());
      const artistId = indexes.indexes
        .index!.flatMap((i) => i.artist)
        .find((a) => a.name === "The Jonquils")!.id;
      const dir = valid("getMusicDirectory", await client.getMusicDirectory({ id: artistId }));
      expect(dir.directory.child!.map((c) => c.title)).toEqual(["Spring Songs", "Midnight"]);
      const albumDir = valid(
        "getMusicDirectory",
        await client.getMusicDirectory({ id: dir.directory.child![0]!.id }),
      );
      expect(albumDir.directory.child).toHaveLength(3);
      const s2 = valid("search2", await client.search2({ query: "yellow" }));
      expect(s2.searchResult2.song!.map((s) => s.title).sort()).toEqual([
        "Yellow Morning",
        "Yellow Noon",
      ]);
    });

    it("search3: text queries, and the empty query pages through everything", async () => {
      const found = valid("search3", await client.search3({ query: "midnigt" }));
      expect(found.searchResult3.song!.map((s) => s.title)).toEqual(["Midnight"]);
      const pages: string[] = [];
      for (let offset = 0; ; offset += 3) {
        const page = valid(
          "search3",
          await client.search3({
            query: "",
            songCount: 3,
            songOffset: offset,
            artistCount: 0,
            albumCount: 0,
          }),
        );
        const songs = page.searchResult3.song ?? [];
        pages.push(...songs.map((s) => s.id));
        if (songs.length < 3) break;
      }
      expect(new Set(pages).size).toBe(4);
      const quoted = valid("search3", await client.search3({ query: '""' }));
      expect(quoted.searchResult3.artist!.length).toBeGreaterThan(0);
      expect(quoted.searchResult3.album!.length).toBe(1);
    });

    it("star, unstar, setRating; getStarred2 and the REST likes agree", async () => {
      valid(
        "ok",
        await client.star({
          id: `tr-${ids.t1}`,
          albumId: `al-${ids.album}`,
          artistId: `ar-${ids.artist}`,
        }),
      );
      const starred = valid("getStarred2", await client.getStarred2());
      expect(starred.starred2.song!.map((s) => s.title)).toEqual(["Yellow Noon"]);
      expect(starred.starred2.album!.map((a) => a.id)).toEqual([`al-${ids.album}`]);
      expect(starred.starred2.artist!.map((a) => a.id)).toEqual([`ar-${ids.artist}`]);
      expect(starred.starred2.song![0]!.starred).toBeDefined();
      valid("getStarred", await client.getStarred());
      const likes = await rest("GET", "/api/v1/me/likes", undefined, userToken);
      expect(likes.items.map((l: Json) => l.track.id)).toEqual([ids.t1]);
      valid("ok", await client.setRating({ id: `tr-${ids.t1}`, rating: 4 }));
      const song = valid("getSong", await client.getSong({ id: `tr-${ids.t1}` }));
      expect(song.song.userRating).toBe(4);
      expect(song.song.averageRating).toBe(4);
      valid("ok", await client.setRating({ id: `tr-${ids.t1}`, rating: 0 }));
      expect(
        valid("getSong", await client.getSong({ id: `tr-${ids.t1}` })).song.userRating,
      ).toBeUndefined();
      valid("ok", await client.unstar({ albumId: `al-${ids.album}` }));
      expect(valid("getStarred2", await client.getStarred2()).starred2.album ?? []).toHaveLength(0);
    });

    it("setRating on an album: userRating on the album everywhere the app sees it, the REST rating agrees", async () => {
      valid("ok", await client.setRating({ id: `al-${ids.album}`, rating: 5 }));
      const album = valid("getAlbum", await client.getAlbum({ id: `al-${ids.album}` }));
      expect(album.album.userRating).toBe(5);
      const artist = valid("getArtist", await client.getArtist({ id: `ar-${ids.artist}` }));
      expect(artist.artist.album!.find((a) => a.id === `al-${ids.album}`)!.userRating).toBe(5);
      const highest = valid(
        "getAlbumList2",
        await client.getAlbumList2({ type: "highest", size: 5 }),
      );
      expect(highest.albumList2.album![0]).toMatchObject({ id: `al-${ids.album}`, userRating: 5 });
      const dir = await json("getMusicDirectory", {
        u: username,
        p: appPassword,
        id: `ar-${ids.artist}`,
      });
      expect(dir.directory.child.find((c: Json) => c.id === `al-${ids.album}`).userRating).toBe(5);
      // The web app reads and sets the same rating.
      expect(await rest("GET", `/api/v1/albums/${ids.album}/rating`, undefined, userToken)).toEqual(
        { albumId: ids.album, rating: 5 },
      );
      await rest("PUT", `/api/v1/albums/${ids.album}/rating`, { rating: 3 }, userToken);
      expect(
        valid("getAlbum", await client.getAlbum({ id: `al-${ids.album}` })).album.userRating,
      ).toBe(3);
      // Another user does not see it; 0 removes it; bad input is an error, not a rating.
      expect(
        (
          await json("getAlbum", {
            u: bcryptOnly,
            p: "correct horse battery",
            id: `al-${ids.album}`,
          })
        ).album.userRating,
      ).toBeUndefined();
      valid("ok", await client.setRating({ id: `al-${ids.album}`, rating: 0 }));
      expect(
        valid("getAlbum", await client.getAlbum({ id: `al-${ids.album}` })).album.userRating,
      ).toBeUndefined();
      expect(
        (await rest("GET", `/api/v1/albums/${ids.album}/rating`, undefined, userToken)).rating,
      ).toBeNull();
      expect(
        (
          await json("setRating", {
            u: username,
            p: appPassword,
            id: "al-00000000-0000-4000-8000-000000000000",
            rating: "4",
          })
        ).error.code,
      ).toBe(70);
      expect(
        (
          await json("setRating", {
            u: username,
            p: appPassword,
            id: `al-${ids.album}`,
            rating: "x",
          })
        ).error.code,
      ).toBe(0);
      const missing = await fetch(
        `${server.base}/api/v1/albums/00000000-0000-4000-8000-000000000000/rating`,
        {
          method: "PUT",
          headers: { "content-type": "application/json", authorization: `Bearer ${userToken}` },
          body: JSON.stringify({ rating: 2 }),
        },
      );
      expect(missing.status).toBe(404);
      expect(missing.headers.get("content-type")).toContain("application/problem+json");
    });

    it("play queue: saved by the app, seen by the web app (REST), and back", async () => {
      valid(
        "ok",
        await client.savePlayQueue({
          id: [`tr-${ids.t2}`, `tr-${ids.t0}`] as never,
          current: `tr-${ids.t0}`,
          position: 31_000,
        }),
      );
      const rq = await rest("GET", "/api/v1/me/play-queue", undefined, userToken);
      expect(rq).toMatchObject({
        trackIds: [ids.t2, ids.t0],
        currentIndex: 1,
        positionMs: 31_000,
        changedBy: "subsonic-api",
      });
      await rest(
        "PUT",
        "/api/v1/me/play-queue",
        { trackIds: [ids.t3], positionMs: 5000 },
        userToken,
      );
      const q = valid("getPlayQueue", await client.getPlayQueue());
      expect(q.playQueue).toMatchObject({
        current: `tr-${ids.t3}`,
        position: 5000,
        username,
        changedBy: "web",
      });
    });

    it("playlists CRUD, and smart playlists served read-only", async () => {
      const created = valid(
        "createPlaylist",
        await client.createPlaylist({
          name: "Road",
          songId: [`tr-${ids.t0}`, `tr-${ids.t3}`],
        }),
      );
      expect(created.playlist.songCount).toBe(2);
      const pid = created.playlist.id;
      valid(
        "ok",
        await client.updatePlaylist({
          playlistId: pid,
          name: "Road trip",
          songIdToAdd: [`tr-${ids.t1}`],
          songIndexToRemove: [0],
        }),
      );
      const got = valid("getPlaylist", await client.getPlaylist({ id: pid }));
      expect(got.playlist.name).toBe("Road trip");
      expect(got.playlist.entry!.map((e) => e.title)).toEqual(["Midnight", "Yellow Noon"]);
      await rest(
        "POST",
        "/api/v1/smart-playlists",
        { title: "Fast", rules: { tempo: { min: 110 } } },
        userToken,
      );
      const lists = valid("getPlaylists", await client.getPlaylists());
      const smart = lists.playlists.playlist!.find((p) => p.name === "Fast")!;
      expect(smart.readonly).toBe(true);
      expect(smart.songCount).toBe(2);
      const smartFull = valid("getPlaylist", await client.getPlaylist({ id: smart.id }));
      expect(smartFull.playlist.entry!.map((e) => e.title).sort()).toEqual([
        "Yellow Morning",
        "Yellow Noon",
      ]);
      expect(((await client.deletePlaylist({ id: smart.id })) as Json).error.code).toBe(50);
      valid("ok", await client.deletePlaylist({ id: pid }));
      expect(((await client.getPlaylist({ id: pid })) as Json).error.code).toBe(70);
    });

    it("sonic similarity, similar songs, top songs, random songs, songs by genre, artist and album info", async () => {
      const similar = valid(
        "getSonicSimilarTracks",
        await client
          .custom("getSonicSimilarTracks.view", { id: `tr-${ids.t0}`, count: 3 })
          .then((r) => r.json() as Promise<Json>)
          .then((b) => b["subsonic-response"]),
      );
      expect(similar.sonicMatch[0]!.entry.title).toBe("Yellow Noon");
      expect(similar.sonicMatch.at(-1)!.entry.title).toBe("Midnight");
      const path = valid(
        "findSonicPath",
        await client
          .custom("findSonicPath.view", {
            startSongId: `tr-${ids.t0}`,
            endSongId: `tr-${ids.t3}`,
            count: 4,
          })
          .then((r) => r.json() as Promise<Json>)
          .then((b) => b["subsonic-response"]),
      );
      expect(path.sonicMatch[0]!.entry.id).toBe(`tr-${ids.t0}`);
      expect(path.sonicMatch.at(-1)!.entry.id).toBe(`tr-${ids.t3}`);
      expect(path.sonicMatch).toHaveLength(4);
      valid("getSimilarSongs2", await client.getSimilarSongs2({ id: `ar-${ids.artist}` }));
      const top = valid("getTopSongs", await client.getTopSongs({ artist: "The Jonquils" }));
      expect(top.topSongs.song).toHaveLength(4);
      const random = valid("getRandomSongs", await client.getRandomSongs({ size: 2 }));
      expect(random.randomSongs.song).toHaveLength(2);
      const byGenre = valid("getSongsByGenre", await client.getSongsByGenre({ genre: ids.rock! }));
      expect(byGenre.songsByGenre.song!.map((s) => s.title).sort()).toEqual([
        "Yellow Morning",
        "Yellow Noon",
      ]);
      valid("getArtistInfo2", await client.getArtistInfo2({ id: `ar-${ids.artist}` }));
      valid("getAlbumInfo2", await client.getAlbumInfo2({ id: `al-${ids.album}` }));
    });

    it("scrobble: now playing, then a listen in the history (the analytics listen path)", async () => {
      valid("ok", await client.scrobble({ id: `tr-${ids.t2}`, submission: false }));
      const now = valid("getNowPlaying", await client.getNowPlaying());
      expect(now.nowPlaying.entry![0]).toMatchObject({ title: "Grey Evening", username });
      valid(
        "ok",
        await client.scrobble({ id: `tr-${ids.t2}`, submission: true, time: Date.now() - 1000 }),
      );
      const rows = await server.runtime.ports.db
        .select()
        .from(schema.listeningHistory)
        .where(eq(schema.listeningHistory.trackId, ids.t2!));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.completionPercentage).toBe(100);
      const recent = valid("getAlbumList2", await client.getAlbumList2({ type: "recent" }));
      expect(recent.albumList2.album!.map((a) => a.id)).toEqual([`al-${ids.album}`]);
    });

    it("stream and download follow to the audio with Range (206); getCoverArt answers 70 without art", async () => {
      const res = await raw(
        "stream",
        { u: username, p: appPassword, id: `tr-${ids.t0}`, format: "raw" },
        { headers: { range: "bytes=100-199" } },
      );
      expect(res.status).toBe(206);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(bytes).toHaveLength(100);
      expect(bytes[0]).toBe(100 % 251);
      const full = await client.download({ id: `tr-${ids.t0}` });
      expect(full.status).toBe(200);
      expect((await full.arrayBuffer()).byteLength).toBe(64 * 1024);
      const noAudio = await (
        await raw("stream", { u: username, p: appPassword, id: `tr-${ids.t3}`, f: "json" })
      ).json();
      expect((noAudio as Json)["subsonic-response"].error.code).toBe(0);
      const cover = await (
        await raw("getCoverArt", {
          u: username,
          p: appPassword,
          id: `al-${ids.album}`,
          size: "64",
          f: "json",
        })
      ).json();
      expect((cover as Json)["subsonic-response"].error.code).toBe(70);
    });
  });

  describe("transport: XML as DSub reads it, formPost, jsonp, .view and bare names", () => {
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "",
      isArray: (name) => ["album", "song", "index", "artist", "child", "genre"].includes(name),
    });

    it("answers XML by default with the envelope as attributes", async () => {
      const res = await raw("getAlbum", { u: username, p: appPassword, id: `al-${ids.album}` });
      expect(res.headers.get("content-type")).toContain("xml");
      const doc = parser.parse(await res.text());
      const root = doc["subsonic-response"];
      expect(root).toMatchObject({
        xmlns: "http://subsonic.org/restapi",
        status: "ok",
        version: "1.16.1",
        type: "jonquils",
        openSubsonic: "true",
      });
      expect(root.album[0].name).toBe("Spring Songs");
      expect(root.album[0].song.map((s: Json) => s.title)).toEqual([
        "Yellow Morning",
        "Yellow Noon",
        "Grey Evening",
      ]);
      const genres = parser.parse(
        await (await raw("getGenres.view", { u: username, p: appPassword })).text(),
      );
      const rock = genres["subsonic-response"].genres.genre.find(
        (g: Json) => g["#text"] === ids.rock,
      );
      expect(rock.songCount).toBe("2");
    });

    it("answers errors in XML with HTTP 200", async () => {
      const res = await raw("getAlbum.view", { u: username, p: "wrong" });
      expect(res.status).toBe(200);
      const root = parser.parse(await res.text())["subsonic-response"];
      expect(root.status).toBe("failed");
      expect(root.error.code).toBe("40");
    });

    it("accepts form POST (formPost) and jsonp", async () => {
      const post = await fetch(`${server.base}/rest/getAlbumList2.view`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ u: username, p: appPassword, f: "json", type: "newest" }),
      });
      const body = ((await post.json()) as Json)["subsonic-response"];
      expect(valid("getAlbumList2", body).albumList2.album).toHaveLength(1);
      const postClient = new SubsonicAPI({
        url: server.base,
        auth: { username, password: appPassword },
        post: true,
      });
      valid("getArtists", await postClient.getArtists());
      const jsonp = await raw("ping", { u: username, p: appPassword, f: "jsonp", callback: "cb" });
      const text = await jsonp.text();
      expect(text.startsWith('cb({"subsonic-response":')).toBe(true);
      expect(text.endsWith(");")).toBe(true);
      const unknown = await raw("noSuchMethod", { u: username, p: appPassword, f: "json" });
      expect(unknown.status).toBe(404);
    });

    it("album lists, albums and songs answered from the caches follow catalog changes at once", async () => {
      const auth = { u: username, p: appPassword };
      const albumOf = async () =>
        (await json("getAlbum", { ...auth, id: `al-${ids.album}` })).album;
      const listed = async () =>
        (
          await json("getAlbumList2", { ...auth, type: "newest", size: "50" })
        ).albumList2.album.find((a: Json) => a.id === `al-${ids.album}`);
      // Warm every cache.
      const before = await albumOf();
      expect((await listed()).songCount).toBe(before.songCount);
      const added = await rest(
        "POST",
        "/api/v1/tracks",
        { title: "Late Bloom", durationMs: 61_000, albumId: ids.album, trackNumber: 9 },
        artistToken,
      );
      const after = await albumOf();
      expect(after.songCount).toBe(before.songCount + 1);
      expect(after.song.map((s: Json) => s.title)).toContain("Late Bloom");
      expect((await listed()).songCount).toBe(before.songCount + 1);
      await rest(
        "PATCH",
        `/api/v1/tracks/${added.id}`,
        { title: "Late Bloom (edit)" },
        artistToken,
      );
      const [song] = (
        await json("getRandomSongs", { ...auth, size: "500" })
      ).randomSongs.song.filter((s: Json) => s.id === `tr-${added.id}`);
      expect(song.title).toBe("Late Bloom (edit)");
      await rest("DELETE", `/api/v1/tracks/${added.id}`, undefined, artistToken);
      expect((await albumOf()).songCount).toBe(before.songCount);
      expect((await listed()).songCount).toBe(before.songCount);
    });
  });
});
