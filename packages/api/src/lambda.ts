import { getConnInfo, handle } from "hono/aws-lambda";
import { createApp } from "./app";
import type { ApiDeps } from "./env";

/**
 * The app behind API Gateway (HTTP API, payload v2): client IP from the request context, docs
 * assets from a CDN. Before each invocation returns, the analytics events it queued (its
 * request log line, a listen, a search) are sent: Lambda freezes the container once the
 * handler returns and may never thaw it, so a timer-driven flush could lose them. With SQS
 * that is one SendMessageBatch per invocation, waited for at most FLUSH_WAIT_MS: a slow or
 * failing queue never turns into a slow or failed response (the events stay queued, within
 * the queue's bound, and go with a later invocation).
 */
const FLUSH_WAIT_MS = 300;

export function createLambdaHandler(deps: Omit<ApiDeps, "clientIp" | "docsAssets">) {
  const app = createApp({
    ...deps,
    docsAssets: "cdn",
    clientIp: (c) => getConnInfo(c).remote.address,
  });
  const handler = handle(app);
  const queue = deps.ports.analytics.queue;
  return async (
    ...args: Parameters<typeof handler>
  ): Promise<Awaited<ReturnType<typeof handler>>> => {
    const response = await handler(...args);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      queue.flush().catch((err: unknown) => {
        deps.ports.log.warn(
          { err },
          "analytics events could not be sent before the invocation ended",
        );
      }),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_WAIT_MS))),
    ]);
    clearTimeout(timer);
    return response;
  };
}
