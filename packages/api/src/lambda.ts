import { getConnInfo, handle } from "hono/aws-lambda";
import { createApp } from "./app";
import type { ApiDeps } from "./env";

/** The app behind API Gateway (HTTP API, payload v2): client IP from the request context, docs assets from a CDN. */
export function createLambdaHandler(deps: Omit<ApiDeps, "clientIp" | "docsAssets">) {
  const app = createApp({
    ...deps,
    docsAssets: "cdn",
    clientIp: (c) => getConnInfo(c).remote.address,
  });
  return handle(app);
}
