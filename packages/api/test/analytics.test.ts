import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import { recordSearch } from "@jonquils/core/analytics/index";
import { refreshAnalyticsAggregates } from "@jonquils/core/analytics/refresh";
import {
  promoteToAdmin,
  registerArtist,
  registerUser,
  startTestApi,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;

/** Polls until `check` passes: events are batched, so they show up within the flush interval. */
async function eventually<T>(
  read: () => Promise<T>,
  check: (v: T) => boolean,
  ms = 5000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(wirings())("analytics ($name)", (wiring) => {
  let api: TestApi;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  let listener: Awaited<ReturnType<typeof registerUser>>;
  let admin: Awaited<ReturnType<typeof promoteToAdmin>>;
  let trackId: string;
  let otherTrackId: string;

  beforeAll(async () => {
    api = await startTestApi(wiring, {}, { analytics: true });
    artist = await registerArtist(api);
    listener = await registerUser(api);
    admin = await promoteToAdmin(api, await registerUser(api));
    const track = await api.request("POST", "/api/v1/tracks", {
      token: artist.accessToken,
      body: { title: "Analytics Song", durationMs: 200_000, genreId: 1 },
    });
    expect(track.status).toBe(201);
    trackId = track.body.id;
    const other = await api.request("POST", "/api/v1/tracks", {
      token: artist.accessToken,
      body: { title: "Quiet Song", durationMs: 100_000 },
    });
    otherTrackId = other.body.id;
  });
  afterAll(() => api.close());

  const listen = (token: string | undefined, body: unknown) =>
    api.request("POST", "/api/v1/analytics/listen", { ...(token ? { token } : {}), body });

  it("play, search, then user, track, artist and platform analytics show it within seconds", async () => {
    const started = Date.now();
    // One chDB per test process, shared by the wirings: platform-wide figures are checked as ≥.
    const zeroQuery = `zzz nothing matches ${randomUUID().slice(0, 8)}`;
    const full = await listen(listener.accessToken, {
      trackId,
      playDurationMs: 190_000,
      platform: "web",
      deviceType: "desktop",
    });
    expect(full.status).toBe(202);
    expect(full.body).toMatchObject({ trackId, action: "complete", completionPercentage: 95 });
    const skipped = await listen(listener.accessToken, {
      trackId,
      playDurationMs: 10_000,
      platform: "android",
      deviceType: "mobile",
    });
    expect(skipped.body.action).toBe("skip");
    recordSearch(api.runtime.ports.analytics, {
      at: Date.now(),
      userId: listener.user.id,
      query: zeroQuery,
      kind: "tracks",
      resultsCount: 0,
    });

    const user = await eventually(
      () =>
        api.request("GET", `/api/v1/analytics/user/${listener.user.id}?period=week`, {
          token: listener.accessToken,
        }),
      (r) => r.body.plays === 2 && r.body.searches === 1,
    );
    expect(user.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(user.body).toMatchObject({
      plays: 2,
      listeningTimeMs: 200_000,
      distinctTracks: 1,
      searches: 1,
      topTracks: [{ trackId, title: "Analytics Song", plays: 2 }],
      topArtists: [{ artistId: artist.artistId, plays: 2 }],
      topGenres: [{ genreId: 1, plays: 2 }],
      streak: { currentDays: 1, longestDays: 1 },
    });
    const hour = new Date().getUTCHours();
    expect(user.body.activityByHour[hour].plays).toBe(2);
    expect(user.body.activityByWeekday.reduce((n: number, d: Json) => n + d.plays, 0)).toBe(2);
    const now = new Date();
    expect(user.body.activity).toEqual([
      { weekday: ((now.getUTCDay() + 6) % 7) + 1, hour, plays: 2 },
    ]);
    expect(user.body.listeningPerDay).toEqual([
      { day: now.toISOString().slice(0, 10), listeningTimeMs: 200_000, plays: 2 },
    ]);

    const track = await api.request("GET", `/api/v1/analytics/track/${trackId}`, {
      token: artist.accessToken,
    });
    expect(track.status).toBe(200);
    expect(track.body).toMatchObject({
      plays: 2,
      uniqueListeners: 1,
      completionRate: 0.5,
      skipRate: 0.5,
      averageCompletionPercentage: 50,
    });
    expect(track.body.playsPerDay).toEqual([
      { day: new Date().toISOString().slice(0, 10), plays: 2, uniqueListeners: 1 },
    ]);
    expect(track.body.platforms).toEqual([
      { name: "android", plays: 1 },
      { name: "web", plays: 1 },
    ]);
    expect(track.body.devices).toEqual([
      { name: "desktop", plays: 1 },
      { name: "mobile", plays: 1 },
    ]);

    const byArtist = await api.request("GET", `/api/v1/analytics/artist/${artist.artistId}`, {
      token: artist.accessToken,
    });
    expect(byArtist.status).toBe(200);
    expect(byArtist.body).toMatchObject({
      plays: 2,
      uniqueListeners: 1,
      topTracks: [{ trackId, plays: 2 }],
    });

    const platform = await eventually(
      () =>
        api.request("GET", "/api/v1/analytics/platform?period=week", { token: admin.accessToken }),
      (r) => r.body.routes?.some((x: Json) => x.route === "/api/v1/analytics/user/:id"),
    );
    expect(platform.status).toBe(200);
    expect(platform.body.plays).toBeGreaterThanOrEqual(2);
    expect(platform.body.searches).toBeGreaterThanOrEqual(1);
    // The listener and the artist made signed-in requests (the admin only this one, logged after).
    expect(platform.body.activeUsers.daily).toBeGreaterThanOrEqual(2);
    expect(platform.body.registrations.today).toBeGreaterThanOrEqual(3);
    expect(platform.body.topZeroResultQueries).toContainEqual({
      query: zeroQuery,
      searches: 1,
    });
    const listenRoute = platform.body.routes.find(
      (x: Json) => x.route === "/api/v1/analytics/listen" && x.method === "POST",
    );
    expect(listenRoute.requests).toBeGreaterThanOrEqual(2);
    expect(listenRoute.errorRate).toBe(0);
    expect(listenRoute.p50Ms).toBeGreaterThan(0);
    // Route templates, never raw ids.
    expect(platform.body.routes.some((x: Json) => x.route.includes(trackId))).toBe(false);

    const history = await api.runtime.ports.db
      .select()
      .from(schema.listeningHistory)
      .where(eq(schema.listeningHistory.userId, listener.user.id));
    expect(history.map((h) => h.completionPercentage).sort()).toEqual([5, 95]);
  });

  it("validates the listen and answers problem+json", async () => {
    const bad = await listen(listener.accessToken, {
      trackId: "nope",
      playDurationMs: -1,
      platform: "fax",
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(bad.body.errors.map((e: Json) => e.path).sort()).toEqual([
      "platform",
      "playDurationMs",
      "trackId",
    ]);
    const future = await listen(listener.accessToken, {
      trackId,
      playDurationMs: 1000,
      playedAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.status).toBe(400);
    expect(future.body.detail).toContain("future");
    const unknown = await listen(listener.accessToken, {
      trackId: randomUUID(),
      playDurationMs: 1000,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("track_not_found");
    expect((await listen(undefined, { trackId, playDurationMs: 1000 })).status).toBe(401);
    const period = await api.request(
      "GET",
      `/api/v1/analytics/user/${listener.user.id}?period=decade`,
      {
        token: listener.accessToken,
      },
    );
    expect(period.status).toBe(400);
  });

  it("shows analytics only to their owner or an admin", async () => {
    const stranger = await registerUser(api);
    const forbidden = [
      `/api/v1/analytics/user/${listener.user.id}`,
      `/api/v1/analytics/track/${trackId}`,
      `/api/v1/analytics/artist/${artist.artistId}`,
      "/api/v1/analytics/platform",
    ];
    for (const path of forbidden) {
      const res = await api.request("GET", path, { token: stranger.accessToken });
      expect(res.status, path).toBe(403);
      expect(res.body.code).toBe("forbidden");
    }
    expect(
      (
        await api.request("GET", `/api/v1/analytics/track/${randomUUID()}`, {
          token: admin.accessToken,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await api.request("GET", `/api/v1/analytics/user/${randomUUID()}`, {
          token: admin.accessToken,
        })
      ).status,
    ).toBe(404);
    const asAdmin = await api.request("GET", `/api/v1/analytics/user/${listener.user.id}`, {
      token: admin.accessToken,
    });
    expect(asAdmin.status).toBe(200);
  });

  it("refreshes track popularity and the data_warehouse aggregates from analytics", async () => {
    await api.runtime.ports.analytics.queue.flush();
    // Read the track once so a cached copy exists: the refresh must invalidate it.
    const before = await api.request("GET", `/api/v1/tracks/${trackId}`);
    expect(before.body.popularity).toBe(0);
    const result = await refreshAnalyticsAggregates({ ...api.runtime.ports, meta: {} });
    expect(result.tracksUpdated).toBeGreaterThanOrEqual(1);
    const after = await api.request("GET", `/api/v1/tracks/${trackId}`);
    expect(after.body.popularity).toBe(100);
    const quiet = await api.request("GET", `/api/v1/tracks/${otherTrackId}`);
    expect(quiet.body.popularity).toBe(0);
    // The search index carries the new popularity too (through the outbox, just after).
    await api.runtime.ports.outbox!.drain();
    const found = await api.request("GET", "/api/v1/search/tracks?q=Analytics%20Song");
    expect(found.body.items.find((t: Json) => t.id === trackId)?.popularity).toBe(100);
    const [row] = await api.runtime.ports.db
      .select()
      .from(schema.dailyTrackStats)
      .where(eq(schema.dailyTrackStats.trackId, trackId));
    expect(row).toMatchObject({ plays: 2, uniqueListeners: 1, totalPlayMs: 200_000 });
    const [platform] = await api.runtime.ports.db.select().from(schema.dailyPlatformStats);
    expect(platform!.plays).toBeGreaterThanOrEqual(2);
    expect(platform!.newUsers).toBeGreaterThanOrEqual(3);
  });
});

describe("analytics while the store is unreachable", () => {
  let api: TestApi;
  beforeAll(async () => {
    // No analytics store: every read of it fails as an outage would.
    api = await startTestApi({ db: "pglite", redis: false });
  });
  afterAll(() => api.close());

  it("tells a stranger 403 and the owner 503 — never a 500, never the store's state to a stranger", async () => {
    const artist = await registerArtist(api);
    const stranger = await registerUser(api);
    const track = await api.request("POST", "/api/v1/tracks", {
      token: artist.accessToken,
      body: { title: "Offline Song", durationMs: 100_000 },
    });
    const path = `/api/v1/analytics/track/${track.body.id}`;
    const asStranger = await api.request("GET", path, { token: stranger.accessToken });
    expect(asStranger.status).toBe(403);
    const asOwner = await api.request("GET", path, { token: artist.accessToken });
    expect(asOwner.status).toBe(503);
    expect(asOwner.body.code).toBe("analytics_unavailable");
    const artistPath = `/api/v1/analytics/artist/${artist.artistId}`;
    expect((await api.request("GET", artistPath, { token: stranger.accessToken })).status).toBe(
      403,
    );
    expect((await api.request("GET", artistPath, { token: artist.accessToken })).status).toBe(503);
  });
});
