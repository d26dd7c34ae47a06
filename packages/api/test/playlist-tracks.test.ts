import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { registerArtist, wirings, type TestApi } from "@jonquils/local/testing/harness";
import { playlistSuite, type Json, type PlaylistFixture, type Session } from "./support/playlists";

/** The tracks of a playlist: add, remove, reorder, with positions contiguous 0..n-1 in the API and the table. */
describe.each(wirings())("playlist tracks ($name)", (wiring) => {
  const suite = playlistSuite(wiring);
  const { create, add, get, order, idsOf } = suite;
  let api: TestApi;
  let artist: PlaylistFixture["artist"];
  let t: Json[];
  let owner: Session;
  beforeAll(() => {
    ({ api, artist, t, owner } = suite.fixture);
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
});
