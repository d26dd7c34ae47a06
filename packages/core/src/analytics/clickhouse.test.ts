import type { ClickHouseClient } from "@clickhouse/client";
import { describe, expect, it } from "vitest";
import { createClickHouseStore } from "./clickhouse";
import { listenRecord, searchRecord } from "./records";
import { ANALYTICS_DDL } from "./sql/schema.sql";

/**
 * How the server adapter drives @clickhouse/client (no server here: a stand-in client records
 * the calls). The SQL itself runs against real engines in the store contract suite.
 */
function recordingClient() {
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const client = {
    command: (params: Record<string, unknown>) => {
      calls.push({ method: "command", params });
      return Promise.resolve({ query_id: "q" });
    },
    insert: (params: Record<string, unknown>) => {
      calls.push({ method: "insert", params });
      return Promise.resolve({ executed: true, query_id: "q" });
    },
    query: (params: Record<string, unknown>) => {
      calls.push({ method: "query", params });
      return Promise.resolve({ json: () => Promise.resolve([{ n: 1 }]) });
    },
    ping: () => Promise.resolve({ success: false, error: new Error("ECONNREFUSED") }),
    close: () => Promise.resolve(),
  };
  return { client: client as unknown as ClickHouseClient, calls };
}

describe("ClickHouse server adapter", () => {
  it("creates every table and view, inserts one JSONCompactEachRow batch per table, binds parameters", async () => {
    const { client, calls } = recordingClient();
    const store = createClickHouseStore({ url: "http://clickhouse.test:8123" }, client);
    await store.migrate();
    expect(calls.filter((c) => c.method === "command").map((c) => c.params["query"])).toEqual(
      ANALYTICS_DDL,
    );

    calls.length = 0;
    const listen = listenRecord({
      at: 1,
      trackId: "t",
      userId: "u",
      artistId: "a",
      genreId: null,
      durationPlayedMs: 1,
      completionPercentage: 100,
      platform: "web",
      deviceType: "tv",
    });
    const search = searchRecord({
      at: 1,
      userId: null,
      query: "q",
      kind: "tracks",
      resultsCount: 0,
    });
    await store.insert([listen, search, listen]);
    expect(calls).toEqual([
      {
        method: "insert",
        params: expect.objectContaining({
          table: "track_analytics",
          format: "JSONCompactEachRow",
          values: [listen.values, listen.values],
          columns: expect.arrayContaining(["timestamp", "track_id", "device_type"]) as unknown,
        }) as unknown,
      },
      {
        method: "insert",
        params: expect.objectContaining({
          table: "search_analytics",
          values: [search.values],
        }) as unknown,
      },
    ]);

    calls.length = 0;
    await expect(store.select("SELECT {x:UInt8} AS n", { x: 1 })).resolves.toEqual([{ n: 1 }]);
    expect(calls[0]!.params).toMatchObject({
      query: "SELECT {x:UInt8} AS n",
      query_params: { x: 1 },
      format: "JSONEachRow",
    });
    await expect(store.ping()).rejects.toThrow("ECONNREFUSED");
  });
});
