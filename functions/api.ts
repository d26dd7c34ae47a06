// First: bound secrets into process.env before any configuration is read.
import "./secrets";
import { createLambdaHandler } from "@jonquils/api";
import { assembleRuntime, createLogger, loadConfig } from "@jonquils/core";
import { connectPostgres } from "@jonquils/core/db/postgres";
import { createS3ObjectStoreFromConfig } from "@jonquils/core/storage/s3-config";
import { withApiObservability } from "./observability";

/**
 * The API Lambda (API Gateway HTTP API, payload v2): the same Hono app as
 * `npm start`, wired to the server adapters. Config is parsed once per cold start;
 * a bad or missing value fails the cold start naming the variable.
 */
const config = loadConfig();
if (!config.DATABASE_URL) throw new Error("DATABASE_URL: required in the Lambda wiring");
if (!config.JWT_SECRET) throw new Error("JWT_SECRET: required in the Lambda wiring");

const log = createLogger(config.LOG_LEVEL, { fn: "api" });
const objects = createS3ObjectStoreFromConfig(config);
if (!objects)
  throw new Error(
    "S3_BUCKET_TRACKS, S3_BUCKET_COVERS, S3_BUCKET_PLAYLISTS, S3_BUCKET_TEMP: required in the Lambda wiring",
  );
const runtime = assembleRuntime(
  config,
  connectPostgres(config.DATABASE_URL, { max: 2 }),
  config.JWT_SECRET,
  log,
  objects,
);

export const handler = withApiObservability(
  createLambdaHandler(runtime),
  async (token) => (await runtime.auth.verifyAccessToken(token)).userId,
);
