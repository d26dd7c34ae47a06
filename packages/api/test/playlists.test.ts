import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  promoteToAdmin,
  registerUser,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";
import { playlistSuite, type Json, type Session } from "./support/playlists";

/** Playlists over HTTP: one's own (create, list, update, delete), visibility and ownership. */
describe.each(wirings())("playlists ($name)", (wiring) => {
  const suite = playlistSuite(wiring);
  const { create, add, get, idsOf } = suite;
  let api: TestApi;
  let t: Json[];
  let owner: Session;
  let other: Session;
  beforeAll(() => {
    ({ api, t, owner, other } = suite.fixture);
  });

  describe("own playlists", () => {
    it("creates a playlist (private by default) and reads it back", async () => {
      const res = await api.request("POST", "/api/v1/playlists", {
        token: owner.accessToken,
        body: { title: "  Road   Trip ", description: "For the car" },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        title: "Road Trip",
        description: "For the car",
        isPublic: false,
        owner: { id: owner.user.id, username: owner.user.username },
        trackCount: 0,
        durationMs: 0,
      });
      const got = await get(res.body.id, owner);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ ...res.body, tracks: [] });
    });

    it("lists only my playlists, most recently changed first", async () => {
      const me = await registerUser(api);
      const someoneElse = await registerUser(api);
      const first = await create(me, { title: "First" });
      const second = await create(me, { title: "Second" });
      const theirs = await create(someoneElse, { title: "Theirs", isPublic: true });
      const res = await api.request("GET", "/api/v1/playlists", { token: me.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.items.map((p: Json) => p.id)).toEqual([second.id, first.id]);
      expect(res.body.items.every((p: Json) => p.owner.id === me.user.id)).toBe(true);
      expect(res.body.items.map((p: Json) => p.id)).not.toContain(theirs.id);
      // Touching the older one moves it to the top.
      expect((await add(me, first.id, t[0].id)).status).toBe(200);
      const after = await api.request("GET", "/api/v1/playlists", { token: me.accessToken });
      expect(after.body.items.map((p: Json) => p.id)).toEqual([first.id, second.id]);
      expect(after.body.items[0]).toMatchObject({ trackCount: 1, durationMs: 1000 });
      const paged = await api.request("GET", "/api/v1/playlists?limit=1", {
        token: me.accessToken,
      });
      expect(paged.body).toMatchObject({ limit: 1, nextOffset: 1 });
      expect(paged.body.items).toHaveLength(1);
      const anon = await api.request("GET", "/api/v1/playlists");
      expect(anon.status).toBe(401);
    });

    it("updates title, description and visibility with PUT and PATCH", async () => {
      const p = await create(owner, { title: "Old", description: "old desc" });
      const put = await api.request("PUT", `/api/v1/playlists/${p.id}`, {
        token: owner.accessToken,
        body: { title: "New", description: "new desc" },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ title: "New", description: "new desc", isPublic: false });
      const patch = await api.request("PATCH", `/api/v1/playlists/${p.id}`, {
        token: owner.accessToken,
        body: { isPublic: true },
      });
      expect(patch.status).toBe(200);
      expect(patch.body).toMatchObject({ title: "New", description: "new desc", isPublic: true });
      expect(Date.parse(patch.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(p.updatedAt));
      const clear = await api.request("PATCH", `/api/v1/playlists/${p.id}`, {
        token: owner.accessToken,
        body: { description: null },
      });
      expect(clear.body).toMatchObject({ title: "New", description: null, isPublic: true });
      // Persisted, and visible to others now that it is public.
      const seen = await get(p.id, other);
      expect(seen.status).toBe(200);
      expect(seen.body).toMatchObject({ title: "New", description: null, isPublic: true });
    });

    it("deletes a playlist: 204, then 404; its tracks stay in the catalog", async () => {
      const p = await create(owner);
      await add(owner, p.id, t[0].id);
      const del = await api.request("DELETE", `/api/v1/playlists/${p.id}`, {
        token: owner.accessToken,
      });
      expect(del.status).toBe(204);
      const got = await get(p.id, owner);
      expect(got.status).toBe(404);
      expect(got.body.code).toBe("playlist_not_found");
      expect(
        (await api.request("DELETE", `/api/v1/playlists/${p.id}`, { token: owner.accessToken }))
          .status,
      ).toBe(404);
      const list = await api.request("GET", "/api/v1/playlists?limit=100", {
        token: owner.accessToken,
      });
      expect(list.body.items.map((x: Json) => x.id)).not.toContain(p.id);
      expect((await api.request("GET", `/api/v1/tracks/${t[0].id}`)).status).toBe(200);
    });
  });

  describe("visibility and ownership", () => {
    let priv: Json;
    let pub: Json;
    beforeAll(async () => {
      priv = await create(owner, { title: "Secret mix", isPublic: false });
      await add(owner, priv.id, t[0].id);
      pub = await create(owner, { title: "Shared mix", isPublic: true });
      await add(owner, pub.id, t[0].id);
      await add(owner, pub.id, t[1].id);
    });

    it("a private playlist is visible to its owner, and 404 to another user and to anonymous", async () => {
      const mine = await get(priv.id, owner);
      expect(mine.status).toBe(200);
      expect(mine.body.title).toBe("Secret mix");
      for (const res of [await get(priv.id, other), await get(priv.id)]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe("playlist_not_found");
        expect(JSON.stringify(res.body)).not.toContain("Secret mix");
      }
      // Indistinguishable from a playlist that does not exist.
      const ghost = await get(randomUUID(), other);
      expect(ghost.status).toBe(404);
      expect(ghost.body.code).toBe("playlist_not_found");
    });

    it("another user cannot change a private playlist either: 404, and nothing changes", async () => {
      const attempts = [
        api.request("PATCH", `/api/v1/playlists/${priv.id}`, {
          token: other.accessToken,
          body: { title: "Pwned" },
        }),
        api.request("DELETE", `/api/v1/playlists/${priv.id}`, { token: other.accessToken }),
        add(other, priv.id, t[1].id),
        api.request("DELETE", `/api/v1/playlists/${priv.id}/tracks/${t[0].id}`, {
          token: other.accessToken,
        }),
        api.request("PUT", `/api/v1/playlists/${priv.id}/tracks`, {
          token: other.accessToken,
          body: { trackIds: idsOf(0) },
        }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe("playlist_not_found");
      }
      const still = await get(priv.id, owner);
      expect(still.body).toMatchObject({ title: "Secret mix", trackCount: 1 });
    });

    it("a public playlist is readable by anyone, signed in or not", async () => {
      for (const res of [await get(pub.id, other), await get(pub.id)]) {
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          title: "Shared mix",
          isPublic: true,
          owner: { id: owner.user.id },
          trackCount: 2,
        });
        expect(res.body.tracks.map((e: Json) => e.track.id)).toEqual(idsOf(0, 1));
      }
    });

    it("a public playlist is not editable by others (403 not_playlist_owner), and nothing changes", async () => {
      const attempts: [string, Promise<Json>][] = [
        [
          "PUT",
          api.request("PUT", `/api/v1/playlists/${pub.id}`, {
            token: other.accessToken,
            body: { title: "Pwned" },
          }),
        ],
        [
          "PATCH",
          api.request("PATCH", `/api/v1/playlists/${pub.id}`, {
            token: other.accessToken,
            body: { isPublic: false },
          }),
        ],
        [
          "DELETE",
          api.request("DELETE", `/api/v1/playlists/${pub.id}`, { token: other.accessToken }),
        ],
        ["add", add(other, pub.id, t[2].id)],
        [
          "remove",
          api.request("DELETE", `/api/v1/playlists/${pub.id}/tracks/${t[0].id}`, {
            token: other.accessToken,
          }),
        ],
        [
          "reorder",
          api.request("PUT", `/api/v1/playlists/${pub.id}/tracks`, {
            token: other.accessToken,
            body: { trackIds: idsOf(1, 0) },
          }),
        ],
      ];
      for (const [name, pending] of attempts) {
        const res = await pending;
        expect(res.status, name).toBe(403);
        expect(res.body.code, name).toBe("not_playlist_owner");
      }
      const anon = await api.request("PATCH", `/api/v1/playlists/${pub.id}`, {
        body: { title: "Anon" },
      });
      expect(anon.status).toBe(401);
      const still = await get(pub.id);
      expect(still.body).toMatchObject({ title: "Shared mix", isPublic: true });
      expect(still.body.tracks.map((e: Json) => e.track.id)).toEqual(idsOf(0, 1));
    });

    it("making a public playlist private hides it again", async () => {
      const p = await create(owner, { title: "Briefly shared", isPublic: true });
      expect((await get(p.id, other)).status).toBe(200);
      await api.request("PATCH", `/api/v1/playlists/${p.id}`, {
        token: owner.accessToken,
        body: { isPublic: false },
      });
      expect((await get(p.id, other)).status).toBe(404);
      expect((await get(p.id)).status).toBe(404);
      expect((await get(p.id, owner)).status).toBe(200);
    });

    it("an admin can read a private playlist but not edit it", async () => {
      const admin = await promoteToAdmin(api, await registerUser(api));
      const read = await api.request("GET", `/api/v1/playlists/${priv.id}`, {
        token: admin.accessToken,
      });
      expect(read.status).toBe(200);
      const edit = await api.request("PATCH", `/api/v1/playlists/${priv.id}`, {
        token: admin.accessToken,
        body: { title: "Admin was here" },
      });
      expect(edit.status).toBe(403);
      expect((await get(priv.id, owner)).body.title).toBe("Secret mix");
    });
  });
});
