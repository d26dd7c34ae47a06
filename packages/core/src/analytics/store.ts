import { randomUUID } from "node:crypto";
import { AppError } from "../errors";
import type { AnalyticsRecord } from "./records";

export interface InsertOptions {
  readonly dedupToken?: string;
}

/**
 * ClickHouse settings of an insert into `table`. With a token (the token is per table) the
 * insert is deduplicated. Without one it gets a token of its own, never seen again: the tables
 * keep a deduplication window, and a block identical to an earlier one (two equal batches of
 * real, distinct events) would otherwise be dropped by its content hash. (chDB's insert does not
 * apply `insert_deduplicate = 0`; a unique token works on every engine.)
 * A lone UTF-16 surrogate in a text (JSON.stringify writes it as `\ud800`) is kept as it is
 * rather than failing the whole batch: one odd string must not hold back 100,000 events.
 */
export function insertSettings(
  table: string,
  options?: InsertOptions,
): Record<string, string | number> {
  const lenient = { input_format_json_throw_on_bad_escape_sequence: 0 as const };
  return options?.dedupToken
    ? {
        ...lenient,
        insert_deduplication_token: `${options.dedupToken}:${table}`,
        deduplicate_blocks_in_dependent_materialized_views: 1 as const,
      }
    : { ...lenient, insert_deduplication_token: `unique-${randomUUID()}:${table}` };
}

export type QueryParams = Record<string, string | number | boolean | readonly string[]>;

/**
 * The analytics store port: ClickHouse server (`clickhouse.ts`) or chDB in-process
 * (`packages/local/src/analytics/chdb.ts`), both running the SQL in `sql/`.
 */
export interface AnalyticsStore {
  readonly kind: "clickhouse" | "chdb";
  /** Creates tables and views (idempotent). */
  migrate(): Promise<void>;
  /**
   * One batched insert per table present in `records` (never one per event). With a
   * `dedupToken`, the insert is idempotent: the same token (and rows) again is dropped by the
   * store, in the tables and in their materialized views (ClickHouse insert deduplication).
   */
  insert(records: readonly AnalyticsRecord[], options?: InsertOptions): Promise<void>;
  /** Runs a query with `{name:Type}` parameters bound server-side; rows as objects. */
  select<T>(sql: string, params?: QueryParams): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const analyticsUnavailable = (detail = "Analytics are not available right now.") =>
  new AppError("analytics_unavailable", 503, detail, { retryAfterSeconds: 5 });

/**
 * Opens the real store on first use, so processes that never read analytics (most tests,
 * the pipeline) do not pay for it; a failed open is retried on the next call.
 */
export function createLazyStore(
  kind: AnalyticsStore["kind"],
  open: () => Promise<AnalyticsStore>,
): AnalyticsStore & { readonly opened: boolean } {
  let pending: Promise<AnalyticsStore> | undefined;
  let store: AnalyticsStore | undefined;
  const get = () => {
    pending ??= open().then(
      async (s) => {
        await s.migrate();
        store = s;
        return s;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
  return {
    kind,
    get opened() {
      return store !== undefined;
    },
    migrate: async () => void (await get()),
    insert: async (records, options) => (await get()).insert(records, options),
    // A store that cannot answer is an outage the client can wait out (503), not a 500.
    select: async (sql, params) => {
      try {
        return await (await get()).select(sql, params);
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw analyticsUnavailable();
      }
    },
    ping: async () => (await get()).ping(),
    async close() {
      const s = store ?? (pending ? await pending.catch(() => undefined) : undefined);
      await s?.close();
      pending = undefined;
      store = undefined;
    },
  };
}
