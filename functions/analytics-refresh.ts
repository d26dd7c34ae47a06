// First: bound secrets into process.env before any configuration is read.
import "./secrets";
import { refreshAnalyticsAggregates, type RefreshResult } from "@jonquils/core/analytics/refresh";
import { withObservability } from "./observability";
import { serverRuntime } from "./runtime";

/**
 * Scheduled (every few minutes): refreshes tracks.popularity / play_count from the analytics
 * rollups in ClickHouse and upserts the data_warehouse daily aggregates, then invalidates the
 * catalog caches. The same function `npm start` runs in-process every minute.
 */
const runtime = serverRuntime("analytics-refresh", { clickhouse: true });

export const handler = withObservability("analytics-refresh", (): Promise<RefreshResult> =>
  refreshAnalyticsAggregates({ ...runtime.ports, meta: {} }),
);
