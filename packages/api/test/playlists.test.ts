import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
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

type Session = Awaited<ReturnType<typeof registerUser>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;

describe.each(wirings())("playlists ($name)", (wiring) => {
  let api: TestApi;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  /** Six tracks t[0]..t[5], durations 1000..6000 ms. */
  let t: Json[];
  let owner: Session;
  let other: Session;

  beforeAll(async () => {
    api = await startTestApi(wiring);
    artist = await registerArtist(api);
    t = [];
    for (let i = 0; i < 6; i++) {
      const res = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { title: `Song ${i}`, durationMs: (i + 1) * 1000 },
      });
      expect(res.status).toBe(201);
      t.push(res.body);
    }
    owner = await registerUser(api);
    other = await registerUser(api);
  });
  afterAll(() => api.close());

  async function create(session: Session, body: Record<string, unknown> = {}): Promise<Json> {
    const res = await api.request("POST", "/api/v1/playlists", {
      token: session.accessToken,
      body: { title: "Mix", ...body },
    });
    if (res.status !== 201)
      throw new Error(`create playlist failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async function add(session: Session, id: string, trackId: string, position?: number) {
    return api.request("POST", `/api/v1/playlists/${id}/tracks`, {
      token: session.accessToken,
      body: { trackId, ...(position === undefined ? {} : { position }) },
    });
  }

  async function get(id: string, session?: Session) {
    return api.request(
      "GET",
      `/api/v1/playlists/${id}`,
      session ? { token: session.accessToken } : {},
    );
  }

  /** The track ids in playlist order, after asserting positions are exactly 0..n-1 in the API and in the table. */
  async function order(id: string, session: Session = owner): Promise<string[]> {
    const res = await get(id, session);
    expect(res.status).toBe(200);
    const positions = res.body.tracks.map((e: Json) => e.position);
    expect(positions).toEqual(positions.map((_: number, i: number) => i));
    expect(res.body.trackCount).toBe(res.body.tracks.length);
    const rows = await api.runtime.ports.db
      .select({ position: schema.playlistTracks.position, trackId: schema.playlistTracks.trackId })
      .from(schema.playlistTracks)
      .where(eq(schema.playlistTracks.playlistId, id))
      .orderBy(asc(schema.playlistTracks.position));
    expect(rows.map((r) => r.position)).toEqual(rows.map((_, i) => i));
    const ids = res.body.tracks.map((e: Json) => e.track.id);
    expect(rows.map((r) => r.trackId)).toEqual(ids);
    return ids;
  }

  const idsOf = (...indexes: number[]) => indexes.map((i) => t[i].id);

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

  describe("tracks in a playlist", () => {
    it("adds at the end by default and at a 0-based position when given", async () => {
      const p = await create(owner);
      let res = await add(owner, p.id, t[0].id);
      expect(res.status).toBe(200);
      expect(res.body.tracks.map((e: Json) => e.track.id)).toEqual(idsOf(0));
      await add(owner, p.id, t[1].id);
      expect(await order(p.id)).toEqual(idsOf(0, 1));
      res = await add(owner, p.id, t[2].id, 0);
      expect(res.status).toBe(200);
      expect(await order(p.id)).toEqual(idsOf(2, 0, 1));
      await add(owner, p.id, t[3].id, 2);
      expect(await order(p.id)).toEqual(idsOf(2, 0, 3, 1));
      // A position past the end appends.
      await add(owner, p.id, t[4].id, 99);
      expect(await order(p.id)).toEqual(idsOf(2, 0, 3, 1, 4));
      const got = await get(p.id, owner);
      expect(got.body).toMatchObject({
        trackCount: 5,
        durationMs: 3000 + 1000 + 4000 + 2000 + 5000,
      });
      expect(got.body.tracks[0]).toMatchObject({
        position: 0,
        addedAt: expect.any(String),
        track: { id: t[2].id, title: "Song 2", artist: { id: artist.artistId } },
      });
    });

    it("refuses a track already in the playlist with 409, leaving the order unchanged", async () => {
      const p = await create(owner);
      await add(owner, p.id, t[0].id);
      await add(owner, p.id, t[1].id);
      for (const position of [undefined, 0, 1]) {
        const dup = await add(owner, p.id, t[0].id, position);
        expect(dup.status).toBe(409);
        expect(dup.body.code).toBe("track_already_in_playlist");
      }
      expect(await order(p.id)).toEqual(idsOf(0, 1));
    });

    it("refuses an unknown track with 404 track_not_found", async () => {
      const p = await create(owner);
      const res = await add(owner, p.id, randomUUID());
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("track_not_found");
      expect(await order(p.id)).toEqual([]);
    });

    it("removes a track and closes the gap", async () => {
      const p = await create(owner);
      for (const i of [0, 1, 2, 3]) await add(owner, p.id, t[i].id);
      const res = await api.request("DELETE", `/api/v1/playlists/${p.id}/tracks/${t[1].id}`, {
        token: owner.accessToken,
      });
      expect(res.status).toBe(200);
      expect(res.body.tracks.map((e: Json) => e.track.id)).toEqual(idsOf(0, 2, 3));
      expect(await order(p.id)).toEqual(idsOf(0, 2, 3));
      const missing = await api.request("DELETE", `/api/v1/playlists/${p.id}/tracks/${t[1].id}`, {
        token: owner.accessToken,
      });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe("track_not_in_playlist");
      expect((await get(p.id, owner)).body).toMatchObject({
        trackCount: 3,
        durationMs: 1000 + 3000 + 4000,
      });
    });

    it("keeps positions contiguous 0..n-1 through a mix of removes and inserts", async () => {
      const p = await create(owner);
      const model: string[] = [];
      const apply = async (op: "add" | "remove", i: number, at?: number) => {
        if (op === "add") {
          expect((await add(owner, p.id, t[i].id, at)).status).toBe(200);
          model.splice(at === undefined ? model.length : Math.min(at, model.length), 0, t[i].id);
        } else {
          expect(
            (
              await api.request("DELETE", `/api/v1/playlists/${p.id}/tracks/${t[i].id}`, {
                token: owner.accessToken,
              })
            ).status,
          ).toBe(200);
          model.splice(model.indexOf(t[i].id), 1);
        }
        expect(await order(p.id)).toEqual(model);
      };
      await apply("add", 0);
      await apply("add", 1);
      await apply("add", 2);
      await apply("remove", 0); // head
      await apply("add", 3, 1); // middle
      await apply("remove", 2); // tail
      await apply("add", 0, 0); // head
      await apply("remove", 3); // middle
      await apply("add", 4);
      await apply("add", 5, 2);
      await apply("remove", 4);
      await apply("remove", 0);
      await apply("remove", 1);
      await apply("remove", 5);
      await apply("add", 2, 7);
      expect(model).toEqual(idsOf(2));
    });

    it("keeps positions contiguous when a track in it is deleted from the catalog", async () => {
      const a = await registerArtist(api);
      const own: Json[] = [];
      for (let i = 0; i < 3; i++)
        own.push(
          (
            await api.request("POST", "/api/v1/tracks", {
              token: a.accessToken,
              body: { title: `Gone ${i}`, durationMs: 1000 },
            })
          ).body,
        );
      const p = await create(owner);
      await add(owner, p.id, t[0].id);
      for (const x of own) await add(owner, p.id, x.id);
      await add(owner, p.id, t[1].id);
      // The artist takes down the middle track.
      expect(
        (await api.request("DELETE", `/api/v1/tracks/${own[1].id}`, { token: a.accessToken }))
          .status,
      ).toBe(204);
      // The playlist still works: appending is not mistaken for a duplicate (it was a 409 while a hole remained).
      const appended = await add(owner, p.id, t[2].id);
      expect(appended.status, JSON.stringify(appended.body)).toBe(200);
      expect(await order(p.id)).toEqual([t[0].id, own[0].id, own[2].id, t[1].id, t[2].id]);
      // Insert and reorder too.
      expect((await add(owner, p.id, t[3].id, 1)).status).toBe(200);
      expect(await order(p.id)).toEqual([t[0].id, t[3].id, own[0].id, own[2].id, t[1].id, t[2].id]);
      const reorder = [t[2].id, t[1].id, own[2].id, own[0].id, t[3].id, t[0].id];
      expect(
        (
          await api.request("PUT", `/api/v1/playlists/${p.id}/tracks`, {
            token: owner.accessToken,
            body: { trackIds: reorder },
          })
        ).status,
      ).toBe(200);
      expect(await order(p.id)).toEqual(reorder);
    });

    it("concurrent adds to one playlist all land, at distinct contiguous positions", async () => {
      const p = await create(owner);
      const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => add(owner, p.id, t[i].id)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect((await order(p.id)).sort()).toEqual(idsOf(0, 1, 2, 3, 4, 5).sort());
      // And concurrent removes close every gap.
      const removed = await Promise.all(
        [1, 3, 5].map((i) =>
          api.request("DELETE", `/api/v1/playlists/${p.id}/tracks/${t[i].id}`, {
            token: owner.accessToken,
          }),
        ),
      );
      expect(removed.map((r) => r.status)).toEqual([200, 200, 200]);
      expect((await order(p.id)).sort()).toEqual(idsOf(0, 2, 4).sort());
    });

    it("reorders with a full permutation, and the order persists", async () => {
      const p = await create(owner);
      for (const i of [0, 1, 2, 3, 4]) await add(owner, p.id, t[i].id);
      const wanted = idsOf(4, 2, 0, 3, 1);
      const res = await api.request("PUT", `/api/v1/playlists/${p.id}/tracks`, {
        token: owner.accessToken,
        body: { trackIds: wanted },
      });
      expect(res.status).toBe(200);
      expect(res.body.tracks.map((e: Json) => e.track.id)).toEqual(wanted);
      expect(res.body.tracks.map((e: Json) => e.position)).toEqual([0, 1, 2, 3, 4]);
      expect(await order(p.id)).toEqual(wanted);
      // Reversing back works too (every entry moves).
      const reversed = [...wanted].reverse();
      await api.request("PUT", `/api/v1/playlists/${p.id}/tracks`, {
        token: owner.accessToken,
        body: { trackIds: reversed },
      });
      expect(await order(p.id)).toEqual(reversed);
      // Later inserts respect the new order.
      await add(owner, p.id, t[5].id, 1);
      expect(await order(p.id)).toEqual([reversed[0], t[5].id, ...reversed.slice(1)]);
    });

    it("refuses a reorder that is not a permutation with 422, leaving the order unchanged", async () => {
      const p = await create(owner);
      for (const i of [0, 1, 2]) await add(owner, p.id, t[i].id);
      const bad: [string, string[]][] = [
        ["missing one", idsOf(0, 1)],
        ["a duplicate", idsOf(0, 1, 1)],
        ["a duplicate replacing one", idsOf(0, 0, 2)],
        ["an extra track", idsOf(0, 1, 2, 3)],
        ["a foreign track", idsOf(0, 1, 3)],
        ["an unknown id", [t[0].id, t[1].id, randomUUID()]],
        ["empty", []],
      ];
      for (const [name, trackIds] of bad) {
        const res = await api.request("PUT", `/api/v1/playlists/${p.id}/tracks`, {
          token: owner.accessToken,
          body: { trackIds },
        });
        expect(res.status, name).toBe(422);
        expect(res.body.code, name).toBe("invalid_track_order");
      }
      expect(await order(p.id)).toEqual(idsOf(0, 1, 2));
    });

    it("reorders an empty playlist with an empty list", async () => {
      const p = await create(owner);
      const res = await api.request("PUT", `/api/v1/playlists/${p.id}/tracks`, {
        token: owner.accessToken,
        body: { trackIds: [] },
      });
      expect(res.status).toBe(200);
      expect(res.body.tracks).toEqual([]);
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
