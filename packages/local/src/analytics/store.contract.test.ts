import { createClickHouseStore } from "@jonquils/core/analytics/clickhouse";
import {
  listenRecord,
  requestRecord,
  searchRecord,
  type AnalyticsRecord,
} from "@jonquils/core/analytics/records";
import * as Q from "@jonquils/core/analytics/sql/queries.sql";
import type { AnalyticsStore } from "@jonquils/core/analytics/store";
import { periodBounds } from "@jonquils/core/analytics/index";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnClickHouseBridge } from "../testing/clickhouse-bridge";
import { openChdbStore } from "./chdb";

/**
 * The analytics store contract: the same cases against chDB (always) and the ClickHouse
 * server (when CLICKHOUSE_URL is set), so the embedded engine cannot drift from the server.
 */
const adapters: {
  name: string;
  open: () => Promise<{ store: AnalyticsStore; cleanup(): Promise<void> }>;
}[] = [
  {
    name: "chdb",
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), "jonquils-chdb-contract-"));
      const store = await openChdbStore(join(dir, "data"));
      return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
];
// The HTTP adapter (@clickhouse/client) against chDB behind a test-only ClickHouse HTTP
// interface (testing/clickhouse-bridge.ts): real requests, the engine's real answers.
adapters.push({
  name: "clickhouse-http via chdb bridge",
  open: async () => {
    const dir = await mkdtemp(join(tmpdir(), "jonquils-chdb-bridge-"));
    const bridge = await spawnClickHouseBridge(join(dir, "data"));
    return {
      store: createClickHouseStore({ url: bridge.url }),
      cleanup: async () => {
        await bridge.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});
if (process.env["CLICKHOUSE_URL"]) {
  adapters.push({
    name: "clickhouse",
    open: () =>
      Promise.resolve({
        store: createClickHouseStore({
          url: process.env["CLICKHOUSE_URL"]!,
          username: process.env["CLICKHOUSE_USER"],
          password: process.env["CLICKHOUSE_PASSWORD"],
          database: process.env["CLICKHOUSE_DATABASE"],
        }),
        cleanup: () => Promise.resolve(),
      }),
  });
} else {
  console.info(
    "[jonquils] ClickHouse server cases skipped: set CLICKHOUSE_URL=http://127.0.0.1:8123 to run them.",
  );
}

describe.each(adapters)("analytics store contract ($name)", ({ open }) => {
  let store: AnalyticsStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await open();
    store = opened.store;
    cleanup = () => opened.cleanup();
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  const listen = (over: Partial<Parameters<typeof listenRecord>[0]> = {}): AnalyticsRecord =>
    listenRecord({
      at: Date.now(),
      trackId: randomUUID(),
      userId: randomUUID(),
      artistId: randomUUID(),
      genreId: 3,
      durationPlayedMs: 60_000,
      completionPercentage: 50,
      platform: "web",
      deviceType: "desktop",
      ...over,
    });

  it("migrates idempotently and answers ping", async () => {
    await store.migrate();
    await store.ping();
    const [ddl] = await store.select<{ statement: string }>("SHOW CREATE TABLE api_requests_log");
    expect(ddl!.statement).toMatch(/PARTITION BY toYYYYMM\(timestamp\)/);
    expect(ddl!.statement).toMatch(/TTL/);
  });

  it("keeps millisecond timestamps, nulls and text exactly", async () => {
    const at = Date.UTC(2026, 0, 31, 23, 59, 59, 123);
    const userId = randomUUID();
    const query = `it's "quoted" \\ ünïcode 🎵 ' OR 1=1 --`;
    await store.insert([
      searchRecord({ at, userId, query, kind: "tracks", resultsCount: 0 }),
      searchRecord({ at, userId: null, query: "anonymous", kind: "tracks", resultsCount: 2 }),
    ]);
    const rows = await store.select<{ ms: number; query: string; clicked: string | null }>(
      `SELECT toUnixTimestamp64Milli(timestamp) AS ms, query, clicked_result_id AS clicked
       FROM search_analytics WHERE user_id = {user:UUID}`,
      { user: userId },
    );
    expect(rows).toEqual([{ ms: at, query, clicked: null }]);
    // Parameters are bound by the server: a hostile value is just a value.
    const none = await store.select(
      `SELECT count() AS n FROM search_analytics WHERE query = {q:String}`,
      {
        q: "x' OR 1=1 --",
      },
    );
    expect(none).toEqual([{ n: 0 }]);
  });

  it("stores a text with a lone surrogate instead of failing the batch it came in", async () => {
    const at = Date.UTC(2026, 1, 1, 12, 0, 0, 0);
    const userId = randomUUID();
    await store.insert([
      searchRecord({ at, userId, query: "broken \ud800 pair", kind: "tracks", resultsCount: 0 }),
      searchRecord({ at, userId, query: "fine", kind: "tracks", resultsCount: 1 }),
    ]);
    const rows = await store.select<{ n: number }>(
      `SELECT count() AS n FROM search_analytics WHERE user_id = {user:UUID}`,
      { user: userId },
    );
    expect(rows).toEqual([{ n: 2 }]);
  });

  it("takes a coalesced batch of 12,000 listens whole, in order, in one insert", async () => {
    // The in-process queue coalesces a backlog into inserts of up to 100,000 events; chDB's
    // adapter encodes them 5,000 rows at a time between turns of the event loop.
    const trackId = randomUUID();
    const records = Array.from({ length: 12_000 }, (_, i) =>
      listen({ trackId, at: Date.UTC(2026, 0, 1) + i, durationPlayedMs: i }),
    );
    await store.insert(records);
    const [row] = await store.select<{ n: number; first: number; last: number; ms: number }>(
      `SELECT count() AS n, toUnixTimestamp64Milli(min(timestamp)) AS first,
              toUnixTimestamp64Milli(max(timestamp)) AS last, sum(duration_played_ms) AS ms
       FROM track_analytics WHERE track_id = {track:UUID}`,
      { track: trackId },
    );
    expect(row).toEqual({
      n: 12_000,
      first: Date.UTC(2026, 0, 1),
      last: Date.UTC(2026, 0, 1) + 11_999,
      ms: (11_999 * 12_000) / 2,
    });
  });

  it("fans a listen out to user and artist tables and rolls it up per day with unique listeners", async () => {
    const trackId = randomUUID();
    const artistId = randomUUID();
    const users = [randomUUID(), randomUUID(), randomUUID()];
    const records: AnalyticsRecord[] = [];
    for (let i = 0; i < 30; i++)
      records.push(
        listen({ trackId, artistId, userId: users[i % 3]!, completionPercentage: i % 2 ? 95 : 10 }),
      );
    // Two inserts: rollups must merge uniq states across parts, not add them.
    await store.insert(records.slice(0, 10));
    await store.insert(records.slice(10));
    const { from, fromDay } = periodBounds("week");
    const daily = await store.select<Record<string, number | string | null>>(Q.TRACK_DAILY, {
      track: trackId,
      fromDay,
    });
    // The totals row (date NULL) and one row for today.
    expect(daily).toHaveLength(2);
    expect(daily[0]).toMatchObject({
      date: null,
      plays: 30,
      unique_listeners: 3,
      completes: 15,
      skips: 15,
      listening_ms: 1_800_000,
    });
    expect(daily[1]).toMatchObject({ date: new Date().toISOString().slice(0, 10), plays: 30 });
    const [artist] = await store.select<Record<string, number>>(Q.ARTIST_DAILY, {
      artist: artistId,
      fromDay,
    });
    expect(artist).toMatchObject({ plays: 30, unique_listeners: 3 });
    const breakdown = await store.select<Record<string, string | number | null>>(
      Q.ARTIST_BREAKDOWN,
      { artist: artistId, from },
    );
    expect(breakdown).toContainEqual(
      expect.objectContaining({ track: trackId, platform: null, plays: 30, unique_listeners: 3 }),
    );
    expect(breakdown).toContainEqual(
      expect.objectContaining({ track: null, platform: "web", device_type: "desktop", plays: 30 }),
    );
    const summary = await store.select<Record<string, string | number | null>>(Q.USER_SUMMARY, {
      user: users[0]!,
      from,
    });
    // Totals (set 0), one track (1), one artist (2), one genre (3), one hour × weekday (4), one day (5).
    expect(summary.map((r) => r["set"]).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(summary.find((r) => r["set"] === 5)).toMatchObject({ plays: 10 });
    expect(summary.find((r) => r["set"] === 0)).toMatchObject({
      plays: 10,
      distinct_tracks: 1,
      distinct_artists: 1,
    });
    expect(summary.find((r) => r["set"] === 1)).toMatchObject({ track: trackId, plays: 10 });
    expect(summary.find((r) => r["set"] === 3)).toMatchObject({ genre: 3, plays: 10 });
  });

  it("rolls request logs up into per-route percentiles and error counts", async () => {
    const route = `/contract/${randomUUID()}/:id`;
    const records = Array.from({ length: 100 }, (_, i) =>
      requestRecord({
        at: Date.now(),
        requestId: randomUUID(),
        userId: i % 2 ? randomUUID() : null,
        method: "GET",
        route,
        status: i < 5 ? 500 : i < 15 ? 404 : 200,
        durationMs: i + 1,
        userAgent: "contract",
        ip: "203.0.113.9",
      }),
    );
    await store.insert(records);
    const routes = await store.select<{
      route: string;
      requests: number;
      server_errors: number;
      client_errors: number;
      latency: number[];
    }>(Q.PLATFORM_ROUTES, { fromDay: periodBounds("week").fromDay, limit: 1000 });
    const mine = routes.find((r) => r.route === route);
    expect(mine).toMatchObject({ requests: 100, server_errors: 5, client_errors: 10 });
    expect(mine!.latency[0]).toBeGreaterThan(40);
    expect(mine!.latency[0]).toBeLessThan(60);
    expect(mine!.latency[2]).toBeGreaterThan(95);
  });

  it("runs every endpoint query", async () => {
    const b = periodBounds("all");
    const params = {
      user: randomUUID(),
      track: randomUUID(),
      artist: randomUUID(),
      limit: 5,
      ...b,
    };
    for (const [name, sql] of Object.entries(Q)) {
      await expect(store.select(sql, params), name).resolves.toBeInstanceOf(Array);
    }
  });
});
