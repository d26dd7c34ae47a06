import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  registerArtist,
  registerUser,
  startTestApi,
  wirings,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";

type Session = Awaited<ReturnType<typeof registerUser>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;

describe.each(wirings())(
  "likes, ratings, queue, smart playlists, similar, export ($name)",
  (wiring) => {
    let api: TestApiWithStorage;
    let dataDir: string;
    let artist: Awaited<ReturnType<typeof registerArtist>>;
    let user: Session;
    let other: Session;
    let genres: Json[];
    /** t[0..5]: t0 ≈ t1 (rock, ~120 BPM, loud, happy), t5 far away (other genre, slow, quiet, sad). */
    let t: Json[];

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), "jq-library-"));
      api = await startTestApi(wiring, { DATA_DIR: dataDir });
      artist = await registerArtist(api);
      user = await registerUser(api);
      other = await registerUser(api);
      genres =
        (await api.request("GET", "/api/v1/genres")).body.items ??
        (await api.request("GET", "/api/v1/genres")).body;
      const [g1, g2] = [genres[0], genres[1]];
      const specs = [
        {
          title: "Near A",
          tempo: 120,
          energy: 0.8,
          valence: 0.7,
          loudness: -8,
          genreId: g1.id,
          year: 2020,
        },
        {
          title: "Near B",
          tempo: 122,
          energy: 0.78,
          valence: 0.72,
          loudness: -8.5,
          genreId: g1.id,
          year: 2021,
        },
        {
          title: "Middle",
          tempo: 100,
          energy: 0.5,
          valence: 0.5,
          loudness: -14,
          genreId: g1.id,
          year: 2010,
        },
        {
          title: "Mid-far",
          tempo: 90,
          energy: 0.4,
          valence: 0.4,
          loudness: -18,
          genreId: g2.id,
          year: 2001,
        },
        {
          title: "Far-ish",
          tempo: 75,
          energy: 0.2,
          valence: 0.25,
          loudness: -24,
          genreId: g2.id,
          year: 1995,
        },
        {
          title: "Far",
          tempo: 60,
          energy: 0.1,
          valence: 0.1,
          loudness: -30,
          genreId: g2.id,
          year: 1990,
        },
      ];
      t = [];
      for (const s of specs) {
        const res = await api.request("POST", "/api/v1/tracks", {
          token: artist.accessToken,
          body: { ...s, durationMs: 180_000 },
        });
        expect(res.status).toBe(201);
        t.push(res.body);
      }
    });
    afterAll(async () => {
      await api.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it("likes a track idempotently, lists liked songs newest first, unlikes", async () => {
      const token = user.accessToken;
      const first = await api.request("PUT", `/api/v1/tracks/${t[0].id}/like`, { token });
      expect(first.status).toBe(200);
      expect(first.body.liked).toBe(true);
      const again = await api.request("PUT", `/api/v1/tracks/${t[0].id}/like`, { token });
      expect(again.body.likedAt).toBe(first.body.likedAt);
      await new Promise((r) => setTimeout(r, 5));
      await api.request("PUT", `/api/v1/tracks/${t[2].id}/like`, { token });
      const list = await api.request("GET", "/api/v1/me/likes", { token });
      expect(list.status).toBe(200);
      expect(list.body.items.map((i: Json) => i.track.title)).toEqual(["Middle", "Near A"]);
      // Someone else's likes are their own.
      const others = await api.request("GET", "/api/v1/me/likes", { token: other.accessToken });
      expect(others.body.items).toEqual([]);
      expect(
        (await api.request("DELETE", `/api/v1/tracks/${t[2].id}/like`, { token })).status,
      ).toBe(204);
      const after = await api.request("GET", "/api/v1/me/likes", { token });
      expect(after.body.items.map((i: Json) => i.track.title)).toEqual(["Near A"]);
    });

    it("refuses likes without sign-in (401) and of unknown tracks (404), bad ids (400)", async () => {
      expect((await api.request("PUT", `/api/v1/tracks/${t[0].id}/like`)).status).toBe(401);
      const missing = await api.request("PUT", `/api/v1/tracks/${crypto.randomUUID()}/like`, {
        token: user.accessToken,
      });
      expect(missing.status).toBe(404);
      expect(missing.headers.get("content-type")).toContain("application/problem+json");
      const bad = await api.request("PUT", "/api/v1/tracks/nope/like", { token: user.accessToken });
      expect(bad.status).toBe(400);
      expect(
        (
          await api.request("PUT", `/api/v1/albums/${crypto.randomUUID()}/like`, {
            token: user.accessToken,
          })
        ).status,
      ).toBe(404);
    });

    it("rates 1–5, changes and removes a rating, refuses 0 and 6", async () => {
      const token = user.accessToken;
      const path = `/api/v1/tracks/${t[1].id}/rating`;
      expect((await api.request("PUT", path, { token, body: { rating: 4 } })).body).toEqual({
        trackId: t[1].id,
        rating: 4,
      });
      expect((await api.request("PUT", path, { token, body: { rating: 6 } })).status).toBe(400);
      expect((await api.request("PUT", path, { token, body: { rating: 0 } })).status).toBe(400);
      expect((await api.request("PUT", path, { token, body: {} })).status).toBe(400);
      expect(
        (await api.request("PUT", path, { token, body: { rating: null } })).body.rating,
      ).toBeNull();
      expect((await api.request("PUT", path, { token, body: { rating: 5 } })).body.rating).toBe(5);
    });

    it("reads a track's rating back: the listener's own, null when unrated, 404 for no track", async () => {
      const path = `/api/v1/tracks/${t[2].id}/rating`;
      expect((await api.request("GET", path, { token: user.accessToken })).body).toEqual({
        trackId: t[2].id,
        rating: null,
      });
      await api.request("PUT", path, { token: user.accessToken, body: { rating: 3 } });
      expect((await api.request("GET", path, { token: user.accessToken })).body.rating).toBe(3);
      // Another listener's rating is theirs alone.
      expect((await api.request("GET", path, { token: other.accessToken })).body.rating).toBeNull();
      expect((await api.request("GET", path)).status).toBe(401);
      const missing = await api.request(
        "GET",
        "/api/v1/tracks/00000000-0000-4000-8000-000000000000/rating",
        { token: user.accessToken },
      );
      expect(missing.status).toBe(404);
      expect(missing.headers.get("content-type")).toMatch(/problem\+json/);
    });

    it("saves and restores the play queue with position; another device sees it", async () => {
      const token = user.accessToken;
      const empty = await api.request("GET", "/api/v1/me/play-queue", { token });
      expect(empty.body.trackIds).toEqual([]);
      const saved = await api.request("PUT", "/api/v1/me/play-queue", {
        token,
        body: { trackIds: [t[3].id, t[1].id, t[4].id], currentIndex: 1, positionMs: 42_500 },
      });
      expect(saved.status).toBe(200);
      const restored = await api.request("GET", "/api/v1/me/play-queue", { token });
      expect(restored.body).toMatchObject({
        trackIds: [t[3].id, t[1].id, t[4].id],
        currentIndex: 1,
        positionMs: 42_500,
        changedBy: "web",
      });
      expect(restored.body.tracks.map((x: Json) => x.title)).toEqual([
        "Mid-far",
        "Near B",
        "Far-ish",
      ]);
      const bad = await api.request("PUT", "/api/v1/me/play-queue", {
        token,
        body: { trackIds: [t[0].id], currentIndex: 3 },
      });
      expect(bad.status).toBe(422);
      const unknown = await api.request("PUT", "/api/v1/me/play-queue", {
        token,
        body: { trackIds: [crypto.randomUUID()] },
      });
      expect(unknown.status).toBe(404);
      expect(
        (await api.request("GET", "/api/v1/me/play-queue", { token: other.accessToken })).body
          .trackIds,
      ).toEqual([]);
    });

    it("evaluates smart playlists live over features, liked and rating", async () => {
      const token = user.accessToken;
      const create = await api.request("POST", "/api/v1/smart-playlists", {
        token,
        body: {
          title: "Upbeat",
          rules: { tempo: { min: 110 }, energy: { min: 0.7 }, genres: [genres[0].slug] },
          sort: "title",
        },
      });
      expect(create.status).toBe(201);
      const id = create.body.id;
      const tracks = await api.request("GET", `/api/v1/smart-playlists/${id}/tracks`, { token });
      expect(tracks.body.items.map((x: Json) => x.title)).toEqual(["Near A", "Near B"]);
      // Live: a new matching track appears without touching the playlist.
      const added = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { title: "A New One", tempo: 130, energy: 0.9, genreId: genres[0].id },
      });
      const again = await api.request("GET", `/api/v1/smart-playlists/${id}/tracks`, { token });
      expect(again.body.items.map((x: Json) => x.title)).toEqual(["A New One", "Near A", "Near B"]);
      await api.request("DELETE", `/api/v1/tracks/${added.body.id}`, { token: artist.accessToken });
      // liked + rating rules are the owner's.
      const mine = await api.request("POST", "/api/v1/smart-playlists", {
        token,
        body: { title: "Loved", rules: { liked: true } },
      });
      const loved = await api.request("GET", `/api/v1/smart-playlists/${mine.body.id}/tracks`, {
        token,
      });
      expect(loved.body.items.map((x: Json) => x.title)).toEqual(["Near A"]);
      const rated = await api.request("PATCH", `/api/v1/smart-playlists/${mine.body.id}`, {
        token,
        body: { rules: { rating: { min: 5 } } },
      });
      expect(rated.status).toBe(200);
      const five = await api.request("GET", `/api/v1/smart-playlists/${mine.body.id}/tracks`, {
        token,
      });
      expect(five.body.items.map((x: Json) => x.title)).toEqual(["Near B"]);
      // Private: others get 404; bad rules are 400.
      expect(
        (await api.request("GET", `/api/v1/smart-playlists/${id}`, { token: other.accessToken }))
          .status,
      ).toBe(404);
      const bad = await api.request("POST", "/api/v1/smart-playlists", {
        token,
        body: { title: "x", rules: { tempo: { min: 200, max: 100 } } },
      });
      expect(bad.status).toBe(400);
      const unknownRule = await api.request("POST", "/api/v1/smart-playlists", {
        token,
        body: { title: "x", rules: { mood: "happy" } },
      });
      expect(unknownRule.status).toBe(400);
      expect(
        (await api.request("DELETE", `/api/v1/smart-playlists/${id}`, { token: other.accessToken }))
          .status,
      ).toBe(404);
      expect((await api.request("DELETE", `/api/v1/smart-playlists/${id}`, { token })).status).toBe(
        204,
      );
    });

    it("more like this: nearest in features first, farthest last", async () => {
      const res = await api.request("GET", `/api/v1/tracks/${t[0].id}/similar?limit=5`);
      expect(res.status).toBe(200);
      const titles = res.body.items.map((x: Json) => x.track.title);
      expect(titles[0]).toBe("Near B");
      expect(titles.at(-1)).toBe("Far");
      expect(titles).not.toContain("Near A");
      expect(res.body.items[0].similarity).toBeGreaterThan(res.body.items.at(-1).similarity);
      expect(
        (await api.request("GET", `/api/v1/tracks/${crypto.randomUUID()}/similar`)).status,
      ).toBe(404);
    });

    it("app passwords and API keys: shown once, listed without secrets, revoked", async () => {
      const token = user.accessToken;
      const created = await api.request("POST", "/api/v1/auth/app-passwords", {
        token,
        body: { name: "Phone" },
      });
      expect(created.status).toBe(201);
      expect(created.body.password).toMatch(/^[a-z0-9-]{27}$/);
      const list = await api.request("GET", "/api/v1/auth/app-passwords", { token });
      expect(list.body.items).toHaveLength(1);
      expect(JSON.stringify(list.body)).not.toContain(created.body.password);
      const key = await api.request("POST", "/api/v1/auth/api-keys", {
        token,
        body: { name: "CLI" },
      });
      expect(key.status).toBe(201);
      expect(key.body.apiKey).toMatch(/^jqk_/);
      expect(
        JSON.stringify((await api.request("GET", "/api/v1/auth/api-keys", { token })).body),
      ).not.toContain(key.body.apiKey);
      expect(
        (
          await api.request("DELETE", `/api/v1/auth/api-keys/${key.body.id}`, {
            token: other.accessToken,
          })
        ).status,
      ).toBe(404);
      expect(
        (await api.request("DELETE", `/api/v1/auth/api-keys/${key.body.id}`, { token })).status,
      ).toBe(204);
      expect(
        (await api.request("DELETE", `/api/v1/auth/app-passwords/${created.body.id}`, { token }))
          .status,
      ).toBe(204);
      expect(
        (await api.request("GET", "/api/v1/auth/app-passwords", { token })).body.items,
      ).toEqual([]);
      expect((await api.request("POST", "/api/v1/auth/api-keys", { token, body: {} })).status).toBe(
        400,
      );
    });

    it("exports a playlist as M3U8, XSPF and JSON to the playlists bucket with a signed link", async () => {
      const token = user.accessToken;
      const pl = await api.request("POST", "/api/v1/playlists", {
        token,
        body: { title: "Road & <Trip>" },
      });
      for (const x of [t[0], t[5]])
        await api.request("POST", `/api/v1/playlists/${pl.body.id}/tracks`, {
          token,
          body: { trackId: x.id },
        });
      for (const format of ["m3u8", "xspf", "json"]) {
        const res = await api.request("POST", `/api/v1/playlists/${pl.body.id}/export`, {
          token,
          body: { format },
        });
        expect(res.status).toBe(201);
        expect(res.body.key).toMatch(new RegExp(`^exports/.+\\.${format}$`));
        const file = await api.fetchUrl(res.body.url);
        expect(file.status).toBe(200);
        const text = await file.text();
        if (format === "m3u8") {
          expect(text.startsWith("#EXTM3U\n")).toBe(true);
          expect(text).toContain(`#EXTINF:180,${artist.user.username ? "" : ""}`);
          expect(text).toContain(`/api/v1/tracks/${t[5].id}/stream?redirect=1`);
        } else if (format === "xspf") {
          expect(text).toContain("<title>Road &amp; &lt;Trip&gt;</title>");
          expect(text.match(/<track>/g)).toHaveLength(2);
        } else {
          expect(JSON.parse(text).tracks.map((x: Json) => x.title)).toEqual(["Near A", "Far"]);
        }
      }
      expect(
        (
          await api.request("POST", `/api/v1/playlists/${pl.body.id}/export`, {
            token,
            body: { format: "pls" },
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await api.request("POST", `/api/v1/playlists/${pl.body.id}/export`, {
            token: other.accessToken,
            body: { format: "json" },
          })
        ).status,
      ).toBe(404);
    });
  },
);
