// First: bound secrets into process.env before any configuration is read.
import "./secrets";
import { loadConfig } from "@jonquils/core";
import { createClickHouseStore } from "@jonquils/core/analytics/clickhouse";
import { migratePostgres } from "@jonquils/core/db/postgres";
import { join } from "node:path";
import { logger, withObservability } from "./observability";

/**
 * Applies the catalog's pending migrations, and creates the ClickHouse tables and views when
 * CLICKHOUSE_URL is bound: run by the Data stack's deploy-time Script
 * (on create and on every update), before the functions that use the new schema. The SQL
 * files are the ones `npm run db:migrate` applies, copied beside the bundle (`migrations/`).
 */
async function run(): Promise<{ applied: true; folder: string }> {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new Error("DATABASE_URL: required in the Lambda wiring");
  const folder =
    process.env["MIGRATIONS_DIR"] ?? join(process.env["LAMBDA_TASK_ROOT"] ?? ".", "migrations");
  await migratePostgres(config.DATABASE_URL, folder);
  logger.info("migrations applied", { folder });
  if (config.CLICKHOUSE_URL) {
    // The analytics tables and views too, before the consumer's first insert needs them.
    const store = createClickHouseStore({
      url: config.CLICKHOUSE_URL,
      username: config.CLICKHOUSE_USER,
      password: config.CLICKHOUSE_PASSWORD,
      database: config.CLICKHOUSE_DATABASE,
    });
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
    logger.info("analytics tables ready");
  }
  return { applied: true, folder };
}

export const handler = withObservability("migrate", run);
