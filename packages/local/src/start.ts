import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createApp } from "@jonquils/api";
import type { StartupStatus } from "@jonquils/api/env";
import { join } from "node:path";
import { loadConfigOrExit } from "./config";
import { attachDemoAudio } from "./demo-audio";
import { seedDemoIfEmpty } from "./seed-demo";
import {
  removeServerRecord,
  runningServer,
  serverBaseUrl,
  writeServerRecord,
} from "./server-record";
import { answerMalformedRequests } from "./http/client-errors";
import { applyProxyTimeouts } from "./http/timeouts";
import type { Server } from "node:http";
import { localOperatorId } from "./operator";
import { startWebServer } from "./web-server";
import { createLocalRuntime } from "./wiring";
import { scheduleMonitoring } from "@jonquils/core/monitoring/monitor";
import { reindexFromCatalog, reindexIfStale } from "@jonquils/core/search/reindex";

const startedAt = performance.now();
const config = loadConfigOrExit();
if (!config.DATABASE_URL) {
  // PGlite is a one-process database: a second server on the same data would corrupt it.
  const other = await runningServer(config.DATA_DIR);
  if (other) {
    process.stderr.write(
      `JONQUILS already runs on ${config.DATA_DIR} (pid ${other.pid}, ${serverBaseUrl(other)}). Stop it first, or set DATA_DIR to another folder.\n`,
    );
    process.exit(1);
  }
}
const runtime = await createLocalRuntime(config);
const log = runtime.ports.log;
// Open chDB now, beside the rest of start-up, rather than on the first request (or /health).
runtime.ports.analytics.store
  .migrate()
  .catch((err: unknown) => log.warn({ err }, "analytics store not ready; retried on first use"));

// The demo catalog (a fresh data folder) and the search index are prepared after the port opens:
// /health answers at once and says `demo: "loading"` until they are done.
let demo: StartupStatus["demo"] = "loading";
async function prepareCatalog(): Promise<void> {
  if (config.SEED_DEMO) {
    const seeding = performance.now();
    const accounts = await seedDemoIfEmpty(runtime);
    if (accounts) {
      // The seed sets popularity behind the services' backs: index the finished catalog.
      await reindexFromCatalog(runtime.ports);
      log.info(
        {
          accounts: accounts.map(({ username, role }) => ({ username, role })),
          file: join(config.DATA_DIR, "demo-accounts.json"),
          ms: Math.round(performance.now() - seeding),
        },
        "demo catalog loaded; passwords are in the file",
      );
    }
  }
  // Catalog writes keep the index in step; an empty or outdated one (e.g. data from before the
  // search migration) is rebuilt here.
  await reindexIfStale(runtime.ports).catch((err: unknown) =>
    log.error({ err }, "search index not rebuilt; run `npm run search:reindex`"),
  );
}

const app = createApp({
  ...runtime,
  storageRoutes: runtime.storageRoutes,
  clientIp: (c) => getConnInfo(c).remote.address,
  ...(config.SEED_DEMO ? { startup: () => ({ demo }) } : {}),
});

const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  log.info(
    {
      url: `http://localhost:${info.port}`,
      docs: `http://localhost:${info.port}/docs`,
      database: runtime.catalog.kind,
      cache: runtime.ports.cache.kind,
      analytics: runtime.ports.analytics.store.kind,
      startupMs: Math.round(performance.now() - startedAt),
      // Since the process started: also counts loading the code (prebuilt or through tsx).
      processMs: Math.round(performance.now()),
    },
    "JONQUILS API listening",
  );
  const recordServer = () =>
    localOperatorId(runtime.ports.db)
      .then((operatorId) =>
        writeServerRecord(config.DATA_DIR, {
          pid: process.pid,
          host: config.HOST,
          port: info.port,
          webPort: config.WEB_PORT,
          startedAt: new Date().toISOString(),
          operatorId,
        }),
      )
      .catch((err: unknown) => log.warn({ err }, "could not write the server record"));
  void recordServer();
  prepareCatalog().then(
    () => {
      demo = "ready";
      if (!config.SEED_DEMO) return;
      void recordServer(); // again: a fresh folder has its admin (the CLIs' operator) only now
      // Last, so it never delays the catalog: playable clips for the demo tracks.
      attachDemoAudio(runtime).then(
        (n) => n > 0 && log.info({ tracks: n }, "demo audio clips attached"),
        (err: unknown) => log.warn({ err }, "demo audio clips could not be attached"),
      );
    },
    (err: unknown) => {
      demo = "failed";
      log.error({ err }, "demo catalog could not be prepared");
    },
  );
});
answerMalformedRequests(server);
// Idle keep-alive connections outlive a proxy's (65 s): the proxy closes first, never us.
applyProxyTimeouts(server as Server);

// The web app on WEB_PORT, talking to this API (built first if web/dist is missing or stale).
const web = startWebServer({
  port: config.WEB_PORT,
  hostname: config.HOST,
  apiUrl: (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, ""),
  log,
});

// The local twin of the EventBridge rate(15 minutes) schedule; first run a minute after start.
const monitor =
  config.MONITOR_INTERVAL_MINUTES > 0
    ? scheduleMonitoring(runtime.monitoring, log, {
        everyMs: config.MONITOR_INTERVAL_MINUTES * 60_000,
        firstDelayMs: 60_000,
      })
    : undefined;

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  server.close();
  web.server.close();
  monitor?.stop();
  await runtime.close();
  await removeServerRecord(config.DATA_DIR);
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
