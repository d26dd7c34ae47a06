import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import type { LambdaContext, LambdaEvent } from "hono/aws-lambda";

/**
 * Lambda-native logs and metrics (AWS Lambda Powertools): one JSON line an event with the
 * Lambda request id, cold start and function name, and CloudWatch metrics in the embedded
 * metric format (written to the log, no API calls). The domain keeps its pino logger
 * (`createLogger`), whose JSON lines sit beside these in the same log group.
 */
const serviceName = process.env["POWERTOOLS_SERVICE_NAME"] ?? "jonquils";
/** Test runs of the Lambda entries stay quiet unless a test asks for the lines. */
const quiet = process.env["NODE_ENV"] === "test" && !process.env["POWERTOOLS_LOG_LEVEL"];
export const logger = new Logger({
  serviceName,
  logLevel: quiet ? "SILENT" : powertoolsLevel(process.env["LOG_LEVEL"]),
});
// Metrics read their switch from the environment only, when constructed.
if (quiet) process.env["POWERTOOLS_METRICS_DISABLED"] ??= "true";
export const metrics = new Metrics({
  serviceName,
  namespace: process.env["POWERTOOLS_METRICS_NAMESPACE"] ?? "Jonquils",
});

/** LOG_LEVEL (pino's names, packages/core/src/config.ts) as a Powertools level. */
function powertoolsLevel(level: string | undefined) {
  const levels = {
    fatal: "CRITICAL",
    error: "ERROR",
    warn: "WARN",
    info: "INFO",
    debug: "DEBUG",
    trace: "TRACE",
    silent: "SILENT",
  } as const;
  return levels[(level ?? "info") as keyof typeof levels] ?? "INFO";
}

/**
 * Wraps a handler: Lambda context on every log line, a ColdStart metric, failures logged
 * and counted (then rethrown: Step Functions' Retry/Catch and SQS redelivery see them),
 * metrics flushed after each invocation. The context is optional so tests can call the
 * handler with the event alone.
 */
export function withObservability<E, R>(
  fn: string,
  handler: (event: E, context?: Context) => Promise<R> | R,
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    const started = performance.now();
    if (context) logger.addContext(context);
    logger.appendKeys({ fn });
    metrics.addDimension("fn", fn);
    metrics.captureColdStartMetric(fn);
    try {
      const result = await handler(event, context);
      logger.info("invocation done", { durationMs: Math.round(performance.now() - started) });
      return result;
    } catch (error) {
      logger.error("invocation failed", error instanceof Error ? error : String(error));
      metrics.addMetric("Failures", MetricUnit.Count, 1);
      throw error;
    } finally {
      metrics.addMetric("Duration", MetricUnit.Milliseconds, performance.now() - started);
      metrics.publishStoredMetrics();
    }
  };
}

interface ApiResult {
  statusCode: number;
  headers?: Record<string, unknown> | undefined;
}

/**
 * The API's wrapper: one `request` log line per call with the request id (the app's
 * X-Request-Id, which the client sees; API Gateway's id beside it), the route, the user
 * (from the verified bearer token, never from an unverified claim), status and duration;
 * Requests, ServerErrors and Latency metrics. Keys are cleared after each request, so a warm
 * container never carries one caller's user id into the next request's logs.
 */
export function withApiObservability<R extends ApiResult>(
  handler: (event: LambdaEvent, context?: LambdaContext) => Promise<R>,
  resolveUser: (token: string) => Promise<string | undefined>,
): (event: LambdaEvent, context?: Context) => Promise<R> {
  return async (event, context) => {
    const started = performance.now();
    if (context) logger.addContext(context);
    const { method, path, requestId: apiRequestId } = describeRequest(event);
    const keys = { apiRequestId, route: `${method} ${path}` };
    logger.appendKeys(keys);
    metrics.addDimension("fn", "api");
    metrics.captureColdStartMetric("api");
    const authorization = (event.headers as Record<string, string | undefined> | undefined)?.[
      "authorization"
    ];
    const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "")?.[1];
    const user = token ? await resolveUser(token).catch(() => undefined) : undefined;
    if (user) logger.appendKeys({ user });
    try {
      const result = await handler(event, context);
      const status = result.statusCode;
      logger.info("request", {
        requestId: headerValue(result.headers, "x-request-id") ?? apiRequestId,
        status,
        durationMs: Math.round(performance.now() - started),
      });
      metrics.addMetric("Requests", MetricUnit.Count, 1);
      if (status >= 500) metrics.addMetric("ServerErrors", MetricUnit.Count, 1);
      return result;
    } catch (error) {
      logger.error("request failed", error instanceof Error ? error : String(error));
      metrics.addMetric("ServerErrors", MetricUnit.Count, 1);
      throw error;
    } finally {
      metrics.addMetric("Latency", MetricUnit.Milliseconds, performance.now() - started);
      metrics.publishStoredMetrics();
      logger.removeKeys([...Object.keys(keys), "user"]);
    }
  };
}

/** Method, path and API Gateway's request id from any event shape hono's adapter accepts. */
function describeRequest(event: LambdaEvent) {
  const context = event.requestContext as
    { requestId?: string; http?: { method?: string } } | undefined;
  const method = context?.http?.method ?? ("httpMethod" in event ? event.httpMethod : "?");
  const path = "rawPath" in event ? event.rawPath : "path" in event ? event.path : "?";
  return { method, path, requestId: context?.requestId };
}

function headerValue(headers: Record<string, unknown> | undefined, name: string) {
  const entry = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === "string" ? entry[1] : undefined;
}
