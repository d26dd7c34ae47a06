import { CLICKHOUSE_SETTINGS } from "@jonquils/core/analytics/clickhouse";
import { encodeRows, groupByTable, TABLE_COLUMNS } from "@jonquils/core/analytics/records";
import { ANALYTICS_DDL } from "@jonquils/core/analytics/sql/schema.sql";
import {
  insertSettings,
  type AnalyticsStore,
  type QueryParams,
} from "@jonquils/core/analytics/store";
import { Session } from "chdb";
import { mkdir } from "node:fs/promises";

let openPath: string | undefined;

const ENCODE_CHUNK = 5000;

/**
 * JSONCompactEachRow bytes of `rows`, encoded 5,000 rows at a time with a turn of the event loop
 * between chunks: a coalesced 100,000-event batch would otherwise hold the loop ~100 ms.
 */
async function encodeInChunks(rows: readonly (readonly unknown[])[]): Promise<Buffer> {
  if (rows.length <= ENCODE_CHUNK) return Buffer.from(encodeRows(rows));
  const chunks: Buffer[] = [];
  for (let i = 0; i < rows.length; i += ENCODE_CHUNK) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    chunks.push(Buffer.from(encodeRows(rows.slice(i, i + ENCODE_CHUNK))));
  }
  return Buffer.concat(chunks);
}

/**
 * The embedded analytics store: the ClickHouse engine in this process (chDB), data under
 * `dataDir`. chDB allows one data directory per process, so a second path throws; it is
 * imported dynamically by the local wiring only (a 540 MB native module never belongs in a
 * Lambda bundle). Queries and inserts use chDB's async calls, which run on a libuv thread:
 * the event loop only pays for encoding a batch (≈1 µs an event) and parsing results.
 */
export async function openChdbStore(dataDir: string): Promise<AnalyticsStore> {
  if (openPath !== undefined && openPath !== dataDir) {
    throw new Error(`chDB is already open at ${openPath} in this process (asked for ${dataDir})`);
  }
  await mkdir(dataDir, { recursive: true });
  const session = new Session(dataDir, {
    connectionArgs: Object.entries(CLICKHOUSE_SETTINGS).map(([k, v]) => `--${k}=${v}`),
  });
  openPath = dataDir;
  let closed = false;
  return {
    kind: "chdb",
    async migrate() {
      for (const ddl of ANALYTICS_DDL) await session.queryAsync(ddl);
    },
    async insert(records, options) {
      for (const [table, rows] of groupByTable(records)) {
        const settings = insertSettings(table, options);
        await session.insert({
          ...(settings ? { settings } : {}),
          table,
          values: await encodeInChunks(rows),
          format: "JSONCompactEachRow",
          columns: TABLE_COLUMNS[table],
        });
      }
    },
    async select<T>(sql: string, params: QueryParams = {}) {
      const result = await session.queryBindAsync(sql, params, { format: "JSONEachRow" });
      const text = result.text();
      const rows: T[] = [];
      let start = 0;
      while (start < text.length) {
        let end = text.indexOf("\n", start);
        if (end === -1) end = text.length;
        if (end > start) rows.push(JSON.parse(text.slice(start, end)) as T);
        start = end + 1;
      }
      return rows;
    },
    async ping() {
      if (closed) throw new Error("chDB session is closed");
      await session.queryAsync("SELECT 1");
    },
    async close() {
      if (closed) return;
      closed = true;
      session.close();
      openPath = undefined;
    },
  };
}
