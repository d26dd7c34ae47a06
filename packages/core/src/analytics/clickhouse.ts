import { createClient, type ClickHouseClient } from "@clickhouse/client";
import { Readable } from "node:stream";
import { groupByTable, TABLE_COLUMNS, type AnalyticsRecord } from "./records";
import { ANALYTICS_DDL } from "./sql/schema.sql";
import { insertSettings, type AnalyticsStore, type InsertOptions, type QueryParams } from "./store";

export interface ClickHouseOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  database?: string | undefined;
}

/** Inserts larger than this stream their rows instead of encoding them in one pass. */
const STREAM_ROWS_FROM = 5000;

/** Settings both adapters share, so numbers come back as JSON numbers on every server version. */
export const CLICKHOUSE_SETTINGS = {
  output_format_json_quote_64bit_integers: 0,
  // The listen fan-out and rollup views of one insert run side by side.
  parallel_view_processing: 1,
} as const;

/**
 * The ClickHouse server adapter (@clickhouse/client over HTTP). CLICKHOUSE_DATABASE must exist
 * (default: `default`); migrate() creates the tables and views in it.
 */
export function createClickHouseStore(
  options: ClickHouseOptions,
  client: Pick<ClickHouseClient, "command" | "insert" | "query" | "ping" | "close"> = createClient({
    url: options.url,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    ...(options.database ? { database: options.database } : {}),
    clickhouse_settings: CLICKHOUSE_SETTINGS,
    request_timeout: 30_000,
  }),
): AnalyticsStore {
  return {
    kind: "clickhouse",
    async migrate() {
      for (const ddl of ANALYTICS_DDL) await client.command({ query: ddl });
    },
    async insert(records: readonly AnalyticsRecord[], options?: InsertOptions) {
      for (const [table, rows] of groupByTable(records)) {
        const settings = insertSettings(table, options);
        await client.insert({
          ...(settings ? { clickhouse_settings: settings } : {}),
          table,
          // A coalesced batch (up to 100,000 rows) goes as a stream the client encodes row by row
          // between turns of the event loop; an array is encoded in one synchronous pass.
          values: rows.length > STREAM_ROWS_FROM ? Readable.from(rows) : (rows as unknown[][]),
          format: "JSONCompactEachRow",
          columns: [...TABLE_COLUMNS[table]],
        });
      }
    },
    async select<T>(sql: string, params: QueryParams = {}) {
      const result = await client.query({
        query: sql,
        query_params: params,
        format: "JSONEachRow",
      });
      return result.json<T>();
    },
    async ping() {
      const result = await client.ping();
      if (!result.success) throw result.error;
    },
    close: () => client.close(),
  };
}
