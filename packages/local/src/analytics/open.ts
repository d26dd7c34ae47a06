import {
  combineAnalytics,
  createServerAnalytics,
  createStoreQueue,
  queueOptions,
  type AnalyticsAdapters,
} from "@jonquils/core/analytics/wiring";
import { createLazyStore } from "@jonquils/core/analytics/store";
import { isAnalyticsRecord, type AnalyticsRecord } from "@jonquils/core/analytics/records";
import type { Config, Logger } from "@jonquils/core";
import { join } from "node:path";
import { createSpoolSpill } from "./spool";
import { startSqsConsumer } from "./sqs-consumer";
import { createSqsQueue, lazySqsClient } from "@jonquils/core/queue/sqs";

/**
 * The local analytics wiring: the ClickHouse server when CLICKHOUSE_URL is set, otherwise
 * chDB with its data under DATA_DIR/chdb, opened on first use. Either way events go through
 * the in-process batching queue, which spills to DATA_DIR/analytics-spool (append-only
 * NDJSON files, replayed on start and after the store comes back) rather than lose anything.
 */
export function openLocalAnalytics(
  config: Config,
  log: Logger,
  dirs: { chdb?: string; spool?: string } = {},
): AnalyticsAdapters {
  const spill = createSpoolSpill<AnalyticsRecord>(
    dirs.spool ?? join(config.DATA_DIR, "analytics-spool"),
    { batchSize: config.ANALYTICS_BATCH_SIZE, accept: isAnalyticsRecord },
  );
  if (config.CLICKHOUSE_URL && !config.ANALYTICS_QUEUE_URL) {
    const server = createServerAnalytics(config, log);
    // Same ClickHouse store, but with the local spool behind the queue.
    const queue = createStoreQueue(server.port.store, config, log, spill);
    return combineAnalytics(server.port.store, queue);
  }
  if (config.CLICKHOUSE_URL) return createServerAnalytics(config, log);
  const dataDir = dirs.chdb ?? join(config.DATA_DIR, "chdb");
  const store = createLazyStore("chdb", async () => {
    // Dynamic: chDB is a large native module, loaded only by the local wiring.
    const { openChdbStore } = await import("./chdb");
    return openChdbStore(dataDir);
  });
  if (config.ANALYTICS_QUEUE_URL) {
    // `npm run start:servers`: events through SQS (moto) as in AWS, consumed by this process
    // into chDB instead of by the consumer Lambda into ClickHouse.
    const queueUrl = config.ANALYTICS_QUEUE_URL;
    const queue = createSqsQueue<AnalyticsRecord>(lazySqsClient(config.AWS_REGION), queueUrl, {
      ...queueOptions(config, log),
      batchSize: Math.min(config.ANALYTICS_BATCH_SIZE, 1000),
      spill,
    });
    const consumer = startSqsConsumer({
      client: lazySqsClient(config.AWS_REGION),
      queueUrl,
      store,
      log,
      waitSeconds: 2,
    });
    return {
      port: { store, queue },
      async close() {
        await queue.close();
        await consumer.stop();
        await store.close();
      },
    };
  }
  return combineAnalytics(store, createStoreQueue(store, config, log, spill));
}
