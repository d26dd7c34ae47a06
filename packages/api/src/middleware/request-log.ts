import { requestRecord } from "@jonquils/core/analytics/records";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { ApiDeps, AppEnv } from "../env";

/**
 * Records every request in api_requests_log: time, method, route template (so ids do not
 * explode the cardinality), status, duration, user, user agent, IP and request id. It only
 * enqueues (a synchronous push into a memory buffer): no I/O is awaited on the request path.
 */
export function requestLogMiddleware(deps: ApiDeps) {
  const queue = deps.ports.analytics.queue;
  return createMiddleware<AppEnv>(async (c, next) => {
    const at = Date.now();
    const start = performance.now();
    try {
      await next();
    } finally {
      // Hono's onError has already turned thrown errors into c.res by now.
      const route = routePath(c, -1);
      queue.enqueue(
        requestRecord({
          at,
          requestId: c.get("requestId") ?? "",
          userId: c.get("actor")?.userId ?? null,
          method: c.req.method,
          route: route.endsWith("*") ? "(no route)" : route,
          status: c.res.status,
          durationMs: performance.now() - start,
          userAgent: c.req.header("user-agent") ?? "",
          ip: c.get("clientIp") ?? "",
        }),
      );
    }
  });
}
