/**
 * The server side of bench/api-under-import.ts, in its own process (so the load generator
 * does not share its event loop): the real local runtime — catalog database, disk store,
 * in-process state machine, audio worker pool — behind a real HTTP server on loopback.
 * Configured by the environment like `npm start`; prints `ready <port>` when listening.
 */
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createApp } from "@jonquils/api";
import { loadConfig } from "@jonquils/core";
import type { Server } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { applyProxyTimeouts } from "../http/timeouts";
import { createLocalRuntime } from "../wiring";

const config = loadConfig();
const runtime = await createLocalRuntime(config);
// As a server that has been up for a few seconds: the step modules are loaded.
await runtime.pipeline.warm();
const app = createApp({
  ...runtime,
  storageRoutes: runtime.storageRoutes,
  clientIp: (c) => getConnInfo(c).remote.address,
});
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }) as Server;
applyProxyTimeouts(server);
server.once("listening", () => process.stdout.write(`ready ${config.PORT}\n`));
// SIGUSR2: this thread's event-loop delay since the last one (what blocks the API itself, apart
// from the machine's load on the client side), printed as `eld <p50> <p99> <max>` in ms.
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
process.on("SIGUSR2", () => {
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  process.stdout.write(
    `eld ${ms(delay.percentile(50))} ${ms(delay.percentile(99))} ${ms(delay.max)}\n`,
  );
  delay.reset();
});
process.once("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void runtime.close().then(() => process.exit(0));
});
