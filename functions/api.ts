import { createApp } from "@jonquils/api";
import { assembleRuntime, createLogger, loadConfig } from "@jonquils/core";
import { connectPostgres } from "@jonquils/core/db/postgres";
import { handle, type LambdaEvent } from "hono/aws-lambda";
import type { Context } from "hono";

/**
 * The API Lambda (API Gateway HTTP API, payload v2): the same Hono app as
 * `npm start`, wired to the server adapters. Config is parsed once per cold start;
 * a bad value fails the cold start with the variable's name.
 */
const config = loadConfig();
if (!config.DATABASE_URL) throw new Error("DATABASE_URL: required in the Lambda wiring");
if (!config.JWT_SECRET) throw new Error("JWT_SECRET: required in the Lambda wiring");

const log = createLogger(config.LOG_LEVEL, { fn: "api" });
const runtime = assembleRuntime(config, connectPostgres(config.DATABASE_URL, { max: 2 }), config.JWT_SECRET, log);

export const app = createApp({
  ...runtime,
  docsAssets: "cdn",
  clientIp: (c: Context) => {
    const event = (c.env as { event?: LambdaEvent } | undefined)?.event;
    return event && "requestContext" in event && "http" in event.requestContext ? event.requestContext.http.sourceIp : undefined;
  },
});

export const handler = handle(app);
