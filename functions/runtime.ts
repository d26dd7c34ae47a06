// First: bound secrets (DATABASE_URL, CLICKHOUSE_*) into process.env before any configuration is read.
import "./secrets";
import { assembleRuntime, createCacheAdapters, createLogger, type Runtime } from "@jonquils/core";
import type { AnalyticsStore } from "@jonquils/core/analytics/store";
import type { Config } from "@jonquils/core/config";
import { lambdaEnv } from "@jonquils/core/config-wirings";
import { connectPostgres } from "@jonquils/core/db/postgres";
import type { Db } from "@jonquils/core/db/types";
import type { Logger } from "@jonquils/core/logger";
import { createSearchIndexFromConfig } from "@jonquils/core/search/wiring";
import type { ObjectStore } from "@jonquils/core/storage/object-store";
import { createS3ObjectStoreFromConfig } from "@jonquils/core/storage/s3-config";
import type { PipelineDeps } from "@jonquils/pipeline/steps/deps";
import { listOnlyStore } from "./pipeline/list-only-store";
import { databasePasswordSource } from "./secrets";

/**
 * The Lambda wiring's one composition root: every function gets its adapters here, from its
 * own configuration schema (core/config-wirings.ts `lambdaEnv.<function>`; a missing value
 * fails the cold start naming the variable). In AWS the adapters are the server ones only —
 * PostgreSQL (postgres.js, password re-read from the RDS-managed secret), S3, and what
 * `assembleRuntime` picks from the config (Redis, OpenSearch, ClickHouse, SQS) — so PGlite,
 * chDB and the disk store never reach a Lambda bundle. The ClickHouse client loads on first use.
 */

type RuntimeFunction = "api" | "monitoring" | "analytics-refresh";

/** PostgreSQL with a pool of `max` (stacks/lambda.ts RESERVED_CONCURRENCY budgets connections with it). */
function catalog(url: string, max: number) {
  return connectPostgres(url, { max, password: databasePasswordSource() });
}

/** S3: every S3_BUCKET_* is required by the schemas that reach here, so it is always chosen. */
function objects(config: Config): NonNullable<ReturnType<typeof createS3ObjectStoreFromConfig>> {
  return createS3ObjectStoreFromConfig(config)!;
}

/** The API, monitoring and analytics-refresh Lambdas: the whole runtime (ports + services). */
export function serverRuntime(fn: RuntimeFunction): Runtime {
  const config = lambdaEnv[fn].parse();
  return assembleRuntime(
    config,
    catalog(config.DATABASE_URL, 2),
    config.JWT_SECRET,
    createLogger(config.LOG_LEVEL, { fn }),
    objects(config),
  );
}

/** A pipeline step: PostgreSQL (pool of 1), Redis (cache invalidation), search, S3. */
export function createPipelineDeps(fn: string): PipelineDeps {
  const config = lambdaEnv.pipeline.parse();
  const log = createLogger(config.LOG_LEVEL, { fn });
  const { cache } = createCacheAdapters(config, log);
  const db = catalog(config.DATABASE_URL, 1).db;
  return {
    db,
    cache,
    // OpenSearch when OPENSEARCH_URL is set, else the search tables in the same database.
    search: createSearchIndexFromConfig(config, db, log),
    log,
    objects: objects(config),
    analyseAudio: config.INGEST_ANALYSE_AUDIO,
  };
}

/** The recovery sweep: PostgreSQL (pool of 1) and the tracks bucket, list-only (its role may only list `u/`). */
export function recoveryAdapters(): {
  config: ReturnType<(typeof lambdaEnv)["pipeline-recover"]["parse"]>;
  log: Logger;
  db: Db;
  objects: ObjectStore;
} {
  const config = lambdaEnv["pipeline-recover"].parse();
  return {
    config,
    log: createLogger(config.LOG_LEVEL, { fn: "pipeline-recover" }),
    db: catalog(config.DATABASE_URL, 1).db,
    objects: listOnlyStore(objects(config)),
  };
}

/** The ClickHouse store from CLICKHOUSE_* (loaded on first use: only the analytics functions need it). */
export async function openClickHouse(config: {
  CLICKHOUSE_URL: string;
  CLICKHOUSE_USER?: string | undefined;
  CLICKHOUSE_PASSWORD?: string | undefined;
  CLICKHOUSE_DATABASE?: string | undefined;
}): Promise<AnalyticsStore> {
  const { createClickHouseStore } = await import("@jonquils/core/analytics/clickhouse");
  return createClickHouseStore({
    url: config.CLICKHOUSE_URL,
    username: config.CLICKHOUSE_USER,
    password: config.CLICKHOUSE_PASSWORD,
    database: config.CLICKHOUSE_DATABASE,
  });
}
