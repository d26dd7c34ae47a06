// First: bound secrets into process.env before any configuration is read.
import "./secrets";
import { createLambdaHandler } from "@jonquils/api";
import { withApiObservability } from "./observability";
import { serverRuntime } from "./runtime";

/**
 * The API Lambda (API Gateway HTTP API, payload v2): the same Hono app as
 * `npm start`, wired to the server adapters. Config is parsed once per cold start;
 * a bad or missing value fails the cold start naming the variable.
 */
const runtime = serverRuntime("api");

export const handler = withApiObservability(
  createLambdaHandler(runtime),
  async (token) => (await runtime.auth.verifyAccessToken(token)).userId,
);
