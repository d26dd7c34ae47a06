import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import {
  promoteToAdmin,
  registerArtist,
  registerUser,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";
import {
  catalogSuite,
  titles,
  type AdminSession,
  type ArtistSession,
  type Json,
} from "./support/catalog";

/** Who may write which track: roles, ownership, admins (403/401/422 over HTTP). */
describe.each(wirings())("track authorization ($name)", (wiring) => {
  const suite = catalogSuite(wiring);
  const { createTrack, createAlbum } = suite;
  let api: TestApi;
  beforeAll(() => {
    api = suite.api;
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
});
