// First: bound secrets into process.env before any configuration is read.
import "./secrets";
import { refreshAnalyticsAggregates, type RefreshResult } from "@jonquils/core/analytics/refresh";
import { withObservability } from "./observability";
import { serverRuntime } from "./runtime";

/**
 * Scheduled (every few minutes): refreshes tracks.popularity / play_count from the analytics
 * rollups in ClickHouse and upserts the data_warehouse daily aggregates, then invalidates the
 * catalog caches; first, it delivers what is left in the transactional outbox (every 5 minutes at
 * worst, in AWS). The same refresh `npm start` runs in-process every minute.
 */
const runtime = serverRuntime("analytics-refresh");

export const handler = withObservability(
  "analytics-refresh",
  async (): Promise<RefreshResult & { outboxDelivered: number }> => {
    // The transactional outbox first (listens for ClickHouse, search events for OpenSearch):
    // what API invocations committed but did not deliver before they ended or froze. The
    // search events' documents are read from PostgreSQL and written with POST _bulk.
    const outboxDelivered = (await runtime.ports.outbox?.drain()) ?? 0;
    const result = await refreshAnalyticsAggregates({ ...runtime.ports, meta: {} });
    return { ...result, outboxDelivered };
  },
);
