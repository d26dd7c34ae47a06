// First: bound secrets into process.env before any configuration is read.
import "./secrets";
import { loadConfig } from "@jonquils/core";
import { logger, withObservability } from "./observability";
import { openClickHouse } from "./runtime";

export type AnalyticsMigration = { applied: true } | { applied: false; reason: string };

/**
 * Creates the ClickHouse tables and views (idempotent): the Data stack's second deploy-time
 * Script, outside the VPC. Best effort by design: a ClickHouse Cloud IP allow-list that does
 * not admit AWS yet, or an outage, is logged (level error) and reported, never thrown — the
 * deploy goes on, and the next deploy tries again. The catalog never depends on it.
 */
type MigratableStore = { migrate(): Promise<void>; close(): Promise<void> };

export async function migrateAnalytics(
  store: () => MigratableStore | undefined | Promise<MigratableStore | undefined>,
): Promise<AnalyticsMigration> {
  let opened: MigratableStore | undefined;
  try {
    opened = await store();
    if (!opened) return { applied: false, reason: "CLICKHOUSE_URL is not set: analytics is off" };
    await opened.migrate();
    logger.info("analytics tables ready");
    return { applied: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.error("analytics tables NOT created; the deploy continues", { reason });
    return { applied: false, reason };
  } finally {
    await opened?.close().catch(() => {});
  }
}

export const handler = withObservability("migrate-analytics", () =>
  migrateAnalytics(async () => {
    const config = loadConfig();
    if (!config.CLICKHOUSE_URL) return undefined;
    return openClickHouse({ ...config, CLICKHOUSE_URL: config.CLICKHOUSE_URL });
  }),
);
