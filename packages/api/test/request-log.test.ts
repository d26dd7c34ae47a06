import { createApp } from "@jonquils/api";
import { assembleRuntime, createLogger } from "@jonquils/core";
import type { AnalyticsRecord } from "@jonquils/core/analytics/records";
import type { AnalyticsStore } from "@jonquils/core/analytics/store";
import { combineAnalytics, createStoreQueue } from "@jonquils/core/analytics/wiring";
import { openTestDatabase, TEST_JWT_SECRET, testConfig } from "@jonquils/local/testing/harness";
import { createDiskObjectStore } from "@jonquils/local/storage/disk-store";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** The request log adds no blocking work: requests finish while the analytics store hangs. */
describe("request-log middleware", () => {
  it("answers at full speed while every insert hangs, and logs route templates", async () => {
    const inserted: AnalyticsRecord[] = [];
    let release: () => void = () => {};
    const hanging = new Promise<void>((r) => (release = r));
    const store: AnalyticsStore = {
      kind: "chdb",
      migrate: () => Promise.resolve(),
      insert: async (records) => {
        await hanging;
        inserted.push(...records);
      },
      select: () => Promise.resolve([]),
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const config = testConfig({ ANALYTICS_BATCH_SIZE: "50", ANALYTICS_FLUSH_MS: "10" });
    const log = createLogger("silent");
    const catalog = await openTestDatabase("pglite");
    const dir = await mkdtemp(join(tmpdir(), "jonquils-reqlog-"));
    const objects = createDiskObjectStore({
      root: dir,
      publicUrl: "http://localhost:8000",
      secret: "s".repeat(32),
      log,
    });
    const analytics = combineAnalytics(store, createStoreQueue(store, config, log));
    const runtime = assembleRuntime(config, catalog, TEST_JWT_SECRET, log, objects, analytics);
    const app = createApp({ ...runtime, clientIp: () => "203.0.113.7" });
    try {
      // A request that waited for its log insert would never answer: each one gets 2 s, a bound
      // no loaded machine reaches but a hang always does (a timed total flaked under load).
      let slowest = 0;
      for (let i = 0; i < 300; i++) {
        const t = performance.now();
        const res = await app.request(
          `/api/v1/tracks/00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
          {
            headers: { "user-agent": "reqlog-test" },
          },
        );
        expect(res.status).toBe(404);
        slowest = Math.max(slowest, performance.now() - t);
      }
      // Batches were due (300 events, batch size 50) but the store never answered.
      expect(inserted).toHaveLength(0);
      // Let the queue's timers run (PGlite answers without leaving the microtask queue).
      await new Promise((r) => setTimeout(r, 50));
      expect(runtime.ports.analytics.queue.stats().inFlight).toBeGreaterThan(0);
      expect(slowest).toBeLessThan(2000);
      release();
      await runtime.ports.analytics.queue.flush();
      expect(inserted).toHaveLength(300);
      const values = inserted[0]!.values;
      expect(inserted[0]!.table).toBe("api_requests_log");
      // timestamp, request_id, user_id, method, endpoint, status, duration, user agent, ip
      expect(values.slice(2, 6)).toEqual([null, "GET", "/api/v1/tracks/:id", 404]);
      expect(values[1]).toMatch(/.+/);
      expect(values[7]).toBe("reqlog-test");
      expect(values[8]).toBe("203.0.113.7");
      expect(new Set(inserted.map((r) => r.values[4]))).toEqual(new Set(["/api/v1/tracks/:id"]));
    } finally {
      release();
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("logs what is refused before any route: oversized bodies (413) and CORS preflights", async () => {
    const inserted: AnalyticsRecord[] = [];
    const store: AnalyticsStore = {
      kind: "chdb",
      migrate: () => Promise.resolve(),
      insert: (records) => {
        inserted.push(...records);
        return Promise.resolve();
      },
      select: () => Promise.resolve([]),
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const config = testConfig({ CORS_ORIGINS: "https://app.example" });
    const log = createLogger("silent");
    const dir = await mkdtemp(join(tmpdir(), "jonquils-reqlog-"));
    const objects = createDiskObjectStore({
      root: dir,
      publicUrl: "http://localhost:8000",
      secret: "s".repeat(32),
      log,
    });
    const analytics = combineAnalytics(store, createStoreQueue(store, config, log));
    const runtime = assembleRuntime(
      config,
      await openTestDatabase("pglite"),
      TEST_JWT_SECRET,
      log,
      objects,
      analytics,
    );
    const app = createApp({ ...runtime, clientIp: () => "203.0.113.8" });
    try {
      const big = await app.request("/api/v1/playlists", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "x".repeat(2 * 1024 * 1024) }),
      });
      expect(big.status).toBe(413);
      const preflight = await app.request("/api/v1/tracks", {
        method: "OPTIONS",
        headers: {
          origin: "https://app.example",
          "access-control-request-method": "POST",
        },
      });
      expect(preflight.status).toBeLessThan(300);
      await runtime.ports.analytics.queue.flush();
      const logged = inserted.map((r) => [r.values[3], r.values[5], r.values[8]]);
      expect(logged).toEqual([
        ["POST", 413, "203.0.113.8"],
        ["OPTIONS", preflight.status, "203.0.113.8"],
      ]);
    } finally {
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
