import type { Config, Logger } from "@jonquils/core";
import type { AnalyticsStore } from "@jonquils/core/analytics/store";
import {
  combineAnalytics,
  createStoreQueue,
  type AnalyticsAdapters,
} from "@jonquils/core/analytics/wiring";
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSpoolSpill } from "../analytics/spool";
import { isAnalyticsRecord, type AnalyticsRecord } from "@jonquils/core/analytics/records";

let shared: Promise<AnalyticsStore> | undefined;
let chdbDir: string | undefined;

/**
 * The analytics store of this test process. chDB allows one data directory per process and
 * vitest runs each file in its own fork, so every file gets one chDB in a temporary folder,
 * shared by its tests (they use fresh ids) and removed when the process exits.
 */
export function testAnalyticsStore(): Promise<AnalyticsStore> {
  shared ??= (async () => {
    const url = process.env["CLICKHOUSE_URL"];
    if (url) {
      const { createClickHouseStore } = await import("@jonquils/core/analytics/clickhouse");
      const store = createClickHouseStore({
        url,
        username: process.env["CLICKHOUSE_USER"],
        password: process.env["CLICKHOUSE_PASSWORD"],
        database: process.env["CLICKHOUSE_DATABASE"],
      });
      await store.migrate();
      return store;
    }
    chdbDir = await mkdtemp(join(tmpdir(), "jonquils-chdb-"));
    const dir = chdbDir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const { openChdbStore } = await import("../analytics/chdb");
    const store = await openChdbStore(join(dir, "data"));
    await store.migrate();
    return store;
  })();
  return shared;
}

/** Analytics adapters for one test API: the process' store (kept open), a fast-flushing queue. */
export async function testAnalytics(config: Config, log: Logger): Promise<AnalyticsAdapters> {
  const store = await testAnalyticsStore();
  const kept: AnalyticsStore = { ...store, close: () => Promise.resolve() };
  const spool = await mkdtemp(join(tmpdir(), "jonquils-spool-"));
  const spill = createSpoolSpill<AnalyticsRecord>(spool, { accept: isAnalyticsRecord });
  const queue = createStoreQueue(kept, { ...config, ANALYTICS_FLUSH_MS: 100 }, log, spill);
  return combineAnalytics(kept, queue);
}
