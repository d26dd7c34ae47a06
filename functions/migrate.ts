// First: bound secrets into process.env before any configuration is read.
import "./secrets";
import { lambdaEnv } from "@jonquils/core/config-wirings";
import { migratePostgres } from "@jonquils/core/db/postgres";
import { join } from "node:path";
import { logger, withObservability } from "./observability";

/**
 * Applies the catalog's pending migrations: run by the Data stack's deploy-time Script (on
 * create and on every update), before the functions that use the new schema. The SQL files
 * are the ones `npm run db:migrate` applies, copied beside the bundle (`migrations/`).
 * PostgreSQL only: ClickHouse has its own Script (functions/migrate-analytics.ts), which never
 * fails a deploy.
 */
async function run(): Promise<{ applied: true; folder: string }> {
  const config = lambdaEnv.migrate.parse();
  const folder =
    process.env["MIGRATIONS_DIR"] ?? join(process.env["LAMBDA_TASK_ROOT"] ?? ".", "migrations");
  await migratePostgres(config.DATABASE_URL, folder);
  logger.info("migrations applied", { folder });
  return { applied: true, folder };
}

export const handler = withObservability("migrate", run);
