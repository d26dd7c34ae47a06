// First: bound secrets (DATABASE_URL) into process.env before the configuration is read.
import "../secrets";
import { createCacheAdapters, createLogger } from "@jonquils/core";
import { lambdaEnv } from "@jonquils/core/config-wirings";
import { connectPostgres } from "@jonquils/core/db/postgres";
import { createSearchIndexFromConfig } from "@jonquils/core/search/wiring";
import { createS3ObjectStoreFromConfig } from "@jonquils/core/storage/s3-config";
import type { PipelineDeps } from "@jonquils/pipeline/steps/deps";
import { databasePasswordSource } from "../secrets";

/**
 * The pipeline Lambdas' wiring, built once per cold start: PostgreSQL, Redis (cache
 * invalidation) and S3. A missing variable fails the cold start naming it.
 */
export function createPipelineDeps(fn: string): PipelineDeps {
  // DATABASE_URL and every S3_BUCKET_* are required by the pipeline's schema.
  const config = lambdaEnv.pipeline.parse();
  const objects = createS3ObjectStoreFromConfig(config)!;
  const log = createLogger(config.LOG_LEVEL, { fn });
  const { cache } = createCacheAdapters(config, log);
  const db = connectPostgres(config.DATABASE_URL, {
    max: 1,
    // Re-read from the RDS-managed secret whenever a connection opens (rotation).
    password: databasePasswordSource(),
  }).db;
  return {
    db,
    cache,
    // OpenSearch when OPENSEARCH_URL is set, else the search tables in the same database.
    search: createSearchIndexFromConfig(config, db, log),
    log,
    objects,
    analyseAudio: config.INGEST_ANALYSE_AUDIO,
  };
}
