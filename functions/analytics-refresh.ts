// First: bound secrets into process.env before any configuration is read.
import "./secrets";
import { assembleRuntime, createLogger, loadConfig } from "@jonquils/core";
import { refreshAnalyticsAggregates, type RefreshResult } from "@jonquils/core/analytics/refresh";
import { connectPostgres } from "@jonquils/core/db/postgres";
import { createS3ObjectStoreFromConfig } from "@jonquils/core/storage/s3-config";
import { withObservability } from "./observability";

/**
 * Scheduled (every few minutes): refreshes tracks.popularity / play_count from the analytics
 * rollups in ClickHouse and upserts the data_warehouse daily aggregates, then invalidates the
 * catalog caches. The same function `npm start` runs in-process every minute.
 */
const config = loadConfig();
if (!config.DATABASE_URL) throw new Error("DATABASE_URL: required in the Lambda wiring");
if (!config.CLICKHOUSE_URL) throw new Error("CLICKHOUSE_URL: required by the analytics refresh");
if (!config.JWT_SECRET) throw new Error("JWT_SECRET: required in the Lambda wiring");
const objects = createS3ObjectStoreFromConfig(config);
if (!objects) throw new Error("S3_BUCKET_*: required in the Lambda wiring");

const runtime = assembleRuntime(
  config,
  connectPostgres(config.DATABASE_URL, { max: 2 }),
  config.JWT_SECRET,
  createLogger(config.LOG_LEVEL, { fn: "analytics-refresh" }),
  objects,
);

export const handler = withObservability("analytics-refresh", (): Promise<RefreshResult> =>
  refreshAnalyticsAggregates({ ...runtime.ports, meta: {} }),
);
