import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import {
  registerArtist,
  registerUser,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";
import { catalogSuite } from "./support/catalog";

/** Every write leaves an audit row naming who did it; a refused write leaves none. */
describe.each(wirings())("audit log ($name)", (wiring) => {
  const suite = catalogSuite(wiring);
  const { createTrack, createAlbum } = suite;
  let api: TestApi;
  beforeAll(() => {
    api = suite.api;
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
