import { beforeAll, describe, expect, it } from "vitest";
import { wirings, type TestApiWithStorage } from "@jonquils/local/testing/harness";
import { librarySuite, type Json, type Session } from "./support/library";

/** Likes, ratings and the play queue over HTTP. */
describe.each(wirings())("likes, ratings, play queue ($name)", (wiring) => {
  const suite = librarySuite(wiring);
  let api: TestApiWithStorage;
  let user: Session;
  let other: Session;
  let t: Json[];
  beforeAll(() => {
    ({ api, user, other, t } = suite.fixture);
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
    expect((await api.request("DELETE", `/api/v1/tracks/${t[2].id}/like`, { token })).status).toBe(
      204,
    );
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
});
