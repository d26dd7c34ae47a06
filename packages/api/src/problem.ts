import { AppError, toDomainError, type Logger } from "@jonquils/core";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const PROBLEM_TYPE_BASE = "https://jonquils.dev/problems/";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** An RFC 9457 problem details response. */
export function problem(
  c: Context,
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Response {
  const body: Problem = {
    type: PROBLEM_TYPE_BASE + code,
    title: titles[status] ?? "Error",
    status,
    detail,
    code,
    instance: c.req.path,
    ...extra,
  };
  const headers: Record<string, string> = { "Content-Type": "application/problem+json" };
  if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="jonquils"';
  if (typeof extra["retryAfterSeconds"] === "number")
    headers["Retry-After"] = String(extra["retryAfterSeconds"]);
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, headers);
}

/** The single place where thrown errors become responses. Unknown errors leak nothing. */
export function handleError(error: Error, c: Context<AppEnv>, log: Logger): Response {
  if (error instanceof AppError)
    return problem(c, error.status, error.code, error.message, error.extra);
  if (error instanceof HTTPException) {
    const status = error.status;
    if (status === 400 && /malformed json/i.test(error.message)) {
      return problem(c, 400, "malformed_json", "The request body is not valid JSON.");
    }
    if (status === 413)
      return problem(c, 413, "payload_too_large", "The request body is too large.");
    if (status === 415)
      return problem(c, 415, "unsupported_media_type", "Send the body as application/json.");
    return problem(c, status, `http_${status}`, error.message || titles[status] || "HTTP error");
  }
  const requestId = c.get("requestId" as never) as string | undefined;
  // A database error no service mapped: core's one mapper (toDomainError) says what it means
  // to the client — a lost connection is an outage to wait out (503), a value the database
  // refuses is the client's (400), a duplicate a conflict (409). Logged, never a 500.
  const mapped = toDomainError(error);
  if (mapped) {
    log.warn({ err: error, ...requestFacts(c, requestId), code: mapped.code }, "database error");
    return problem(c, mapped.status, mapped.code, mapped.message, mapped.extra);
  }
  log.error({ err: error, ...requestFacts(c, requestId) }, "unhandled error");
  return problem(
    c,
    500,
    "internal_error",
    "Something went wrong on our side. It has been logged.",
    {
      requestId,
    },
  );
}

/** Who and what a log line is about: request id, user, route template and path. */
function requestFacts(c: Context<AppEnv>, requestId: string | undefined) {
  return {
    requestId,
    userId: c.get("actor")?.userId,
    method: c.req.method,
    route: c.req.routePath,
    path: c.req.path,
  };
}
