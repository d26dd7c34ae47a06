import { assembleRuntime, createLogger, loadConfig, type Runtime } from "@jonquils/core";
import { connectPostgres } from "@jonquils/core/db/postgres";
import { createS3ObjectStoreFromConfig } from "@jonquils/core/storage/s3-config";
import { databasePasswordSource } from "./secrets";

/**
 * The server wiring the API, monitoring and analytics-refresh Lambdas share: configuration
 * from the environment (the entry imports ./secrets first, so bound secrets are there),
 * PostgreSQL, S3 and the server adapters `assembleRuntime` picks (Redis, OpenSearch,
 * ClickHouse, SQS). A missing value fails the cold start naming the variable.
 */
export function serverRuntime(fn: string, needs: { clickhouse?: boolean } = {}): Runtime {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new Error("DATABASE_URL: required in the Lambda wiring");
  if (!config.JWT_SECRET) throw new Error("JWT_SECRET: required in the Lambda wiring");
  if (needs.clickhouse && !config.CLICKHOUSE_URL)
    throw new Error(`CLICKHOUSE_URL: required by the ${fn} function`);
  const objects = createS3ObjectStoreFromConfig(config);
  if (!objects)
    throw new Error(
      "S3_BUCKET_TRACKS, S3_BUCKET_COVERS, S3_BUCKET_PLAYLISTS, S3_BUCKET_TEMP: required in the Lambda wiring",
    );
  return assembleRuntime(
    config,
    // Pool of 2 (stacks/lambda.ts RESERVED_CONCURRENCY budgets connections with it); the
    // password is re-read from the RDS-managed secret whenever a connection opens.
    connectPostgres(config.DATABASE_URL, { max: 2, password: databasePasswordSource() }),
    config.JWT_SECRET,
    createLogger(config.LOG_LEVEL, { fn }),
    objects,
  );
}
