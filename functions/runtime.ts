import { assembleRuntime, createLogger, type Runtime } from "@jonquils/core";
import { lambdaEnv } from "@jonquils/core/config-wirings";
import { connectPostgres } from "@jonquils/core/db/postgres";
import { createS3ObjectStoreFromConfig } from "@jonquils/core/storage/s3-config";
import { databasePasswordSource } from "./secrets";

/**
 * The server wiring the API, monitoring and analytics-refresh Lambdas share: configuration
 * from the environment (the entry imports ./secrets first, so bound secrets are there),
 * PostgreSQL, S3 and the server adapters `assembleRuntime` picks (Redis, OpenSearch,
 * ClickHouse, SQS). A missing value fails the cold start naming the variable (the function's
 * schema in core/config-wirings.ts).
 */
export function serverRuntime(fn: "api" | "monitoring" | "analytics-refresh"): Runtime {
  // The function's own schema (core/config-wirings.ts) makes what it needs required.
  const config = lambdaEnv[fn].parse();
  // Every S3_BUCKET_* is required above, so the S3 adapter is always chosen here.
  const objects = createS3ObjectStoreFromConfig(config)!;
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
