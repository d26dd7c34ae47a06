import type { Config } from "../config";
import type { Logger } from "../logger";
import { createBatchingQueue, type EventQueue, type Spill } from "../queue/queue";
import { createSqsQueue, lazySqsClient } from "../queue/sqs";
import type { AnalyticsPort } from "./port";
import { groupByTable, type AnalyticsRecord } from "./records";
import { analyticsUnavailable, createLazyStore, type AnalyticsStore } from "./store";

/** An analytics port plus what a runtime needs to report on it and shut it down. */
export interface AnalyticsAdapters {
  readonly port: AnalyticsPort;
  /** Drains the queue (spilling what cannot be sent), then closes the store. */
  close(): Promise<void>;
}

export function queueOptions(config: Config, log: Logger) {
  return {
    log,
    batchSize: config.ANALYTICS_BATCH_SIZE,
    flushMs: config.ANALYTICS_FLUSH_MS,
    bufferMax: config.ANALYTICS_BUFFER_MAX,
  };
}

/**
 * Largest insert the in-process queue coalesces a backlog into. Measured on chDB with every view
 * (2 vCPUs, `docs/benchmarks.md`): an insert costs ~80 ms of CPU whatever its size (one part per
 * table and view) plus ~4.6 µs an event, so 5,000-event batches spend ~20 µs an event,
 * 20,000 ~9 µs and 100,000 ~5.5 µs.
 */
export const STORE_MAX_BATCH = 100_000;

/**
 * The in-process queue: batches go straight into the store; failures to `spill`. A quiet queue
 * sends `ANALYTICS_BATCH_SIZE` or what the flush interval collected; under a backlog it
 * coalesces up to STORE_MAX_BATCH events (at most a quarter of the memory bound: two batches
 * are out at once) into one insert.
 */
export function createStoreQueue(
  store: AnalyticsStore,
  config: Config,
  log: Logger,
  spill?: Spill<AnalyticsRecord>,
): EventQueue<AnalyticsRecord> {
  return createBatchingQueue<AnalyticsRecord>({
    ...queueOptions(config, log),
    // Two batches out at once take at most half the memory bound; the rest is for waiting events.
    maxBatchSize: Math.min(STORE_MAX_BATCH, Math.floor(config.ANALYTICS_BUFFER_MAX / 4)),
    kind: "memory",
    send: (batch) => store.insert(batch),
    spill,
  });
}

export function combineAnalytics(
  store: AnalyticsStore,
  queue: EventQueue<AnalyticsRecord>,
): AnalyticsAdapters {
  return {
    port: { store, queue },
    async close() {
      await queue.close();
      await store.close();
    },
  };
}

/**
 * Server adapters only (Lambda, containers): ClickHouse when CLICKHOUSE_URL is set, events
 * through SQS when ANALYTICS_QUEUE_URL is set (else in-process batches into ClickHouse).
 * Without CLICKHOUSE_URL,
 * analytics are off: reads answer 503 and events are counted as dropped.
 */
export function createServerAnalytics(config: Config, log: Logger): AnalyticsAdapters {
  if (!config.CLICKHOUSE_URL) return disabledAnalytics(log);
  const url = config.CLICKHOUSE_URL;
  // The client and the SDK load on first use: a cold start that records nothing pays nothing.
  const store = createLazyStore("clickhouse", async () =>
    (await import("./clickhouse")).createClickHouseStore({
      url,
      username: config.CLICKHOUSE_USER,
      password: config.CLICKHOUSE_PASSWORD,
      database: config.CLICKHOUSE_DATABASE,
    }),
  );
  if (config.ANALYTICS_QUEUE_URL) {
    const queue = createSqsQueue<AnalyticsRecord>(
      lazySqsClient(config.AWS_REGION),
      config.ANALYTICS_QUEUE_URL,
      { ...queueOptions(config, log), batchSize: Math.min(config.ANALYTICS_BATCH_SIZE, 1000) },
    );
    return combineAnalytics(store, queue);
  }
  return combineAnalytics(store, createStoreQueue(store, config, log));
}

/** No analytics store configured: reads are 503, events are dropped (and counted). */
export function disabledAnalytics(log: Logger): AnalyticsAdapters {
  let dropped = 0;
  const store: AnalyticsStore = {
    kind: "clickhouse",
    migrate: () => Promise.resolve(),
    insert: () => Promise.reject(analyticsUnavailable()),
    select: () =>
      Promise.reject(analyticsUnavailable("Analytics are not configured (CLICKHOUSE_URL).")),
    ping: () => Promise.reject(analyticsUnavailable("CLICKHOUSE_URL is not set.")),
    close: () => Promise.resolve(),
  };
  const queue: EventQueue<AnalyticsRecord> = {
    kind: "disabled",
    enqueue() {
      if (dropped++ === 0) log.warn("analytics events are dropped: no analytics store configured");
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    stats: () => ({
      buffered: 0,
      inFlight: 0,
      inFlightEvents: 0,
      sent: 0,
      batches: 0,
      failedAttempts: 0,
      spilled: 0,
      replayed: 0,
      dropped,
    }),
  };
  return { port: { store, queue }, close: () => Promise.resolve() };
}

/** Sends records to a store grouped by table (the SQS consumer and the spool replay). */
export async function insertRecords(store: AnalyticsStore, records: readonly AnalyticsRecord[]) {
  if (groupByTable(records).size > 0) await store.insert(records);
}
