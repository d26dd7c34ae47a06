import { ClickHouseError } from "@clickhouse/client";
import { CLICKHOUSE_SETTINGS, createClickHouseStore } from "@jonquils/core/analytics/clickhouse";
import { listenRecord, TABLE_COLUMNS } from "@jonquils/core/analytics/records";
import type { AnalyticsStore } from "@jonquils/core/analytics/store";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnClickHouseBridge, type SpawnedBridge } from "../testing/clickhouse-bridge";

/**
 * What the HTTP adapter (@clickhouse/client) puts on the wire and how it reads the answers,
 * against chDB behind the test bridge (no ClickHouse server ≥ 23 installs from a registry
 * here): the settings every request must carry, parameter binding, the insert's shape, and
 * the engine's errors reaching the caller. The store contract suite runs through the same
 * bridge (store.contract.test.ts, "clickhouse-http via chdb bridge").
 */
describe("ClickHouse HTTP adapter (chdb bridge)", () => {
  let dir: string;
  let bridge: SpawnedBridge;
  let store: AnalyticsStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "jonquils-ch-http-"));
    bridge = await spawnClickHouseBridge(join(dir, "data"));
    store = createClickHouseStore({ url: bridge.url });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await bridge?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sql = async (query: string, params: Record<string, string> = {}) => {
    const url = new URL(bridge.url);
    url.searchParams.set("default_format", "JSONEachRow");
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url, { method: "POST", body: query });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };

  it("sends the shared settings with every query, so 64-bit counts come back as JSON numbers", async () => {
    const trackId = randomUUID();
    await store.insert([
      listenRecord({
        at: Date.now(),
        trackId,
        userId: randomUUID(),
        artistId: randomUUID(),
        genreId: 1,
        durationPlayedMs: 1000,
        completionPercentage: 10,
        platform: "web",
        deviceType: "desktop",
      }),
    ]);
    const rows = await store.select<{ n: unknown }>(
      "SELECT count() AS n FROM track_analytics WHERE track_id = {t:UUID}",
      { t: trackId },
    );
    expect(rows).toEqual([{ n: 1 }]);
    // With the older servers' default (=1) the engine quotes UInt64: what the adapter's
    // setting prevents. (chDB's own default is 0, so only the requests below show it is sent.)
    const raw = await sql(
      `SELECT count() AS n FROM track_analytics WHERE track_id = '${trackId}'`,
      { output_format_json_quote_64bit_integers: "1" },
    );
    expect(raw.text.trim()).toBe('{"n":"1"}');

    const seen = await bridge.requests();
    const queries = seen.filter((r) => r.path === "/");
    expect(queries.length).toBeGreaterThan(3);
    for (const r of queries.slice(0, -1))
      expect(r.settings).toMatchObject(
        Object.fromEntries(Object.entries(CLICKHOUSE_SETTINGS).map(([k, v]) => [k, String(v)])),
      );
  });

  it("binds parameters server-side (param_*), never into the SQL text", async () => {
    const evil = "x' OR 1=1 --";
    const rows = await store.select<{ s: string; n: number }>(
      "SELECT {s:String} AS s, {n:UInt32} + 1 AS n",
      { s: evil, n: 41 },
    );
    expect(rows).toEqual([{ s: evil, n: 42 }]);
    const last = (await bridge.requests()).at(-1)!;
    expect(last.params).toEqual({ s: evil, n: "41" });
    expect(last.sql).not.toContain(evil);
    expect(last.sql).toMatch(/FORMAT JSONEachRow\s*$/);
  });

  it("inserts one JSONCompactEachRow request per table, with the column list and a deduplication token", async () => {
    const before = (await bridge.requests()).length;
    await store.insert(
      [
        listenRecord({
          at: Date.now(),
          trackId: randomUUID(),
          userId: randomUUID(),
          artistId: randomUUID(),
          genreId: 2,
          durationPlayedMs: 2000,
          completionPercentage: 20,
          platform: "ios",
          deviceType: "mobile",
        }),
      ],
      { dedupToken: "batch-1" },
    );
    const inserts = (await bridge.requests()).slice(before);
    expect(inserts).toHaveLength(1);
    const [insert] = inserts;
    expect(insert!.sql).toBe(
      `INSERT INTO track_analytics (${TABLE_COLUMNS.track_analytics.join(", ")}) FORMAT JSONCompactEachRow`,
    );
    expect(insert!.settings).toMatchObject({
      insert_deduplication_token: "batch-1:track_analytics",
      deduplicate_blocks_in_dependent_materialized_views: "1",
    });
  });

  it("surfaces the engine's errors as ClickHouseError with the engine's code", async () => {
    const error = await store.select("SELECT * FROM no_such_table").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClickHouseError);
    expect(error).toMatchObject({ code: "60", type: "UNKNOWN_TABLE" });
    expect((error as Error).message).toMatch(/no_such_table/);
    const syntax = await store.select("SELEC 1").catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: "62", type: "SYNTAX_ERROR" });
  });

  it("applies a setting to its one query only (the bridge resets it), and the engine refuses unknown ones", async () => {
    const q = "SELECT getSetting('max_threads') AS v";
    const set = await sql(q, { max_threads: "3" });
    expect(set.text.trim()).toBe('{"v":3}');
    const after = await sql(q);
    expect(after.text.trim()).not.toBe('{"v":3}');
    const unknown = await sql("SELECT 1", { no_such_setting_at_all: "1" });
    expect(unknown.status).toBe(500);
    expect(unknown.headers.get("x-clickhouse-exception-code")).toBe("115");
  });
});
