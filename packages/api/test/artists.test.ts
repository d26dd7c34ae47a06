import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  promoteToAdmin,
  registerArtist,
  registerUser,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";
import { catalogSuite, ids, type Json } from "./support/catalog";

/** Artists over HTTP: becoming an artist, names, listing and an artist's catalog. */
describe.each(wirings())("artists ($name)", (wiring) => {
  const suite = catalogSuite(wiring);
  const { genreId, createTrack, createAlbum } = suite;
  let api: TestApi;
  beforeAll(() => {
    api = suite.api;
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
});
