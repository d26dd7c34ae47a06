import { schema } from "@jonquils/core";
import { routeWindowStats } from "@jonquils/core/analytics/index";
import { requestRecord } from "@jonquils/core/analytics/records";
import {
  createMonitoringService,
  type AlertPublisher,
  type AlertRow,
} from "@jonquils/core/monitoring/monitor";
import {
  promoteToAdmin,
  registerArtist,
  registerUser,
  startTestApi,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const HOUR = 3600_000;

describe.each(wirings())("monitoring: checks, alerts, admin endpoint ($name)", (wiring) => {
  let api: TestApi;
  let admin: string;
  let listener: string;
  let artistUserId: string;
  let artistId: string;

  beforeAll(async () => {
    api = await startTestApi(wiring);
    const a = await registerUser(api);
    admin = (await promoteToAdmin(api, a)).accessToken;
    listener = (await registerUser(api)).accessToken;
    const artist = await registerArtist(api);
    artistUserId = artist.user.id;
    artistId = artist.artistId;
  });
  afterAll(() => api.close());

  const run = () => api.request("POST", "/api/v1/admin/monitoring/runs", { token: admin });
  const keysOf = (report: { checks: { key: string; status: string }[] }) =>
    report.checks.filter((c) => c.status === "alert").map((c) => c.key);

  it("is for admins only, as problem+json", async () => {
    expect((await api.request("GET", "/api/v1/admin/monitoring")).status).toBe(401);
    const forbidden = await api.request("GET", "/api/v1/admin/monitoring", { token: listener });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("content-type")).toContain("application/problem+json");
    expect(
      (await api.request("POST", "/api/v1/admin/monitoring/runs", { token: listener })).status,
    ).toBe(403);
  });

  it("on a healthy instance reports every adapter up and opens no alert", async () => {
    const res = await run();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
    const health = res.body.checks.filter((c: { category: string }) => c.category === "health");
    expect(health.map((c: { key: string }) => c.key)).toEqual(
      expect.arrayContaining(["health.database", "health.cache", "health.objects"]),
    );
    expect(health.every((c: { status: string }) => c.status === "ok")).toBe(true);
    const latest = await api.request("GET", "/api/v1/admin/monitoring", { token: admin });
    expect(latest.body.lastRun.id).toBe(res.body.runId);
    expect(latest.body.openAlerts).toEqual([]);
  });

  it("raises a track with no duration and an upload stuck in processing, then resolves them", async () => {
    const db = api.runtime.ports.db;
    const [track] = await db
      .insert(schema.tracks)
      .values({ artistId, title: "Broken Record", durationMs: 0 })
      .returning({ id: schema.tracks.id });
    // Indexed as a write through the services would be (the drift check compares content).
    const { enqueueSearchSync } = await import("@jonquils/core/search/outbox");
    await enqueueSearchSync(db, { tracks: [track!.id] });
    await api.runtime.ports.outbox!.drain();
    const stuckSince = new Date(Date.now() - HOUR);
    const [upload] = await db
      .insert(schema.trackUploads)
      .values({
        userId: artistUserId,
        originalFilename: "stuck.mp3",
        s3Path: `u/${artistUserId}/stuck-${Date.now()}.mp3`,
        status: "processing",
        createdAt: stuckSince,
        updatedAt: stuckSince,
      })
      .returning({ id: schema.trackUploads.id });

    const first = await run();
    expect(first.body.status).toBe("alerting");
    expect(keysOf(first.body)).toEqual(
      expect.arrayContaining([
        "data_quality.tracks_missing_duration",
        "data_quality.uploads_stuck",
      ]),
    );
    expect(first.body.opened).toEqual(
      expect.arrayContaining([
        "data_quality.tracks_missing_duration",
        "data_quality.uploads_stuck",
      ]),
    );
    const duration = first.body.checks.find(
      (c: { key: string }) => c.key === "data_quality.tracks_missing_duration",
    );
    expect(duration.detail.sample).toEqual([{ id: track!.id, title: "Broken Record" }]);

    const shown = await api.request("GET", "/api/v1/admin/monitoring", { token: admin });
    const open = shown.body.openAlerts as { key: string; occurrences: number; title: string }[];
    expect(open.map((a) => a.key).sort()).toEqual([
      "data_quality.tracks_missing_duration",
      "data_quality.uploads_stuck",
    ]);
    expect(open.find((a) => a.key === "data_quality.uploads_stuck")!.title).toMatch(
      /^1 upload stuck in processing for over 30 minutes/,
    );

    // Seen again: the same alert, counted twice, not a second one.
    const second = await run();
    expect(second.body.opened).toEqual([]);
    const again = await api.request("GET", "/api/v1/admin/monitoring", { token: admin });
    expect(again.body.openAlerts).toHaveLength(2);
    expect(again.body.openAlerts.every((a: { occurrences: number }) => a.occurrences === 2)).toBe(
      true,
    );

    // Fixed: both resolve on the next run.
    await db.update(schema.tracks).set({ durationMs: 1000 }).where(eq(schema.tracks.id, track!.id));
    await enqueueSearchSync(db, { tracks: [track!.id] });
    await api.runtime.ports.outbox!.drain();
    await db
      .update(schema.trackUploads)
      .set({ status: "failed", failureReason: "timed out" })
      .where(eq(schema.trackUploads.id, upload!.id));
    const third = await run();
    expect(third.body.status).toBe("ok");
    expect(third.body.resolved.sort()).toEqual([
      "data_quality.tracks_missing_duration",
      "data_quality.uploads_stuck",
    ]);
    const after = await api.request("GET", "/api/v1/admin/monitoring", { token: admin });
    expect(after.body.openAlerts).toEqual([]);
  });

  it("publishes only newly opened alerts, and a down adapter and orphan files become alerts", async () => {
    const published: AlertRow[] = [];
    const publisher: AlertPublisher = {
      kind: "test",
      publish: (opened) => {
        published.push(...opened);
        return Promise.resolve();
      },
    };
    const runtime = api.runtime;
    // An uploaded file the pipeline never registered (written straight to the store).
    const key = `u/${artistUserId}/orphan-${Date.now()}.mp3`;
    await runtime.ports.objects.put("tracks", key, new Uint8Array([1, 2, 3]), "audio/mpeg");
    let cacheDown = true;
    const service = createMonitoringService({
      db: runtime.ports.db,
      log: runtime.ports.log,
      objects: runtime.ports.objects,
      probes: [
        ...runtime.probes.filter((p) => p.name !== "cache"),
        {
          name: "cache",
          adapter: "redis",
          ping: () => (cacheDown ? Promise.reject(new Error("ECONNREFUSED")) : Promise.resolve()),
        },
      ],
      searchDrift: () =>
        Promise.resolve([
          {
            kind: "track" as const,
            catalog: 10,
            indexed: 1000,
            missing: 0,
            extra: 990,
            stale: 0,
            sample: [],
            queued: 0,
          },
        ]),
      publisher,
      // An hour from now, the orphan is old enough to count.
      now: () => new Date(Date.now() + HOUR),
    });
    const report = await service.run("test");
    expect(keysOf(report)).toEqual(
      expect.arrayContaining([
        "health.cache",
        "data_quality.objects_without_registry",
        "data_quality.search_index_drift",
      ]),
    );
    const orphan = report.checks.find((c) => c.key === "data_quality.objects_without_registry")!;
    expect(orphan.detail["sample"]).toContain(key);
    expect(published.map((a) => a.key).sort()).toEqual(report.opened.slice().sort());
    expect(published.find((a) => a.key === "health.cache")!.severity).toBe("critical");

    published.length = 0;
    await service.run("test");
    expect(published).toEqual([]);

    cacheDown = false;
    await runtime.ports.objects.delete("tracks", key);
    const healed = await service.run("test");
    expect(healed.resolved).toEqual(
      expect.arrayContaining(["health.cache", "data_quality.objects_without_registry"]),
    );
    expect(keysOf(healed)).toEqual(["data_quality.search_index_drift"]);
  });
});

describe("monitoring: per-route performance from the request log (chDB)", () => {
  let api: TestApi;
  let admin: string;
  beforeAll(async () => {
    api = await startTestApi({ db: "pglite", redis: false }, {}, { analytics: true });
    admin = (await promoteToAdmin(api, await registerUser(api))).accessToken;
  });
  afterAll(() => api.close());

  it("alerts on a route answering server errors, and clears it when the window is clean", async () => {
    const store = api.runtime.ports.analytics.store;
    const now = Date.now();
    const request = (status: number, durationMs: number, i: number) =>
      requestRecord({
        at: now - 60_000 + i,
        requestId: `r${i}`,
        userId: null,
        method: "GET",
        route: "/api/v1/tracks/:id",
        status,
        durationMs,
        userAgent: "test",
        ip: "203.0.113.7",
      });
    // 30 requests, 6 of them 500s (20 %), the rest fast 200s.
    await store.insert(Array.from({ length: 30 }, (_, i) => request(i < 6 ? 500 : 200, 12, i)));
    const res = await api.request("POST", "/api/v1/admin/monitoring/runs", { token: admin });
    expect(res.status).toBe(200);
    const key = "performance.error_rate:GET /api/v1/tracks/:id";
    const alert = res.body.checks.find((c: { key: string }) => c.key === key);
    expect(alert).toMatchObject({ status: "alert", severity: "critical" });
    expect(alert.detail).toMatchObject({ requests: 30, errorRate: 0.2 });
    const routes = res.body.checks.find((c: { key: string }) => c.key === "performance.routes");
    expect(routes.status).toBe("ok");

    // Fifteen minutes on, those requests are outside the window: the alert resolves.
    const later = createMonitoringService({
      db: api.runtime.ports.db,
      log: api.runtime.ports.log,
      probes: [],
      routeStats: (since) => routeWindowStats(store, since),
      publisher: { kind: "test", publish: () => Promise.resolve() },
      now: () => new Date(now + 16 * 60_000),
    });
    const healed = await later.run("test");
    expect(healed.resolved).toContain(key);
  });
});
