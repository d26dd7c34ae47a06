import type { Server } from "node:http";

/**
 * Idle keep-alive connections stay open longer than the proxies in front of us keep theirs
 * (AWS ALB 60 s, nginx 75 s upstream keepalive is opt-in): a proxy must always be the side that
 * closes an idle connection, or it may reuse one the server is closing and get ECONNRESET.
 * Node's defaults (5 s keep-alive) are below every common proxy idle timeout.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Must exceed the keep-alive timeout (Node's rule), or a reused connection may be cut. */
export const HEADERS_TIMEOUT_MS = 66_000;

/** Applies the proxy-safe timeouts to a local HTTP server (the API and the web app). */
export function applyProxyTimeouts<S extends Pick<Server, "keepAliveTimeout" | "headersTimeout">>(
  server: S,
): S {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  return server;
}
