import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { createServerAnalytics, type AnalyticsAdapters } from "./analytics/wiring";
import { createAccessTokens, createAuthService, type AuthService } from "./auth/index";
import type { Cache } from "./cache/cache";
import { createMemoryCache } from "./cache/memory";
import { createRedisCache } from "./cache/redis";
import { createCircuitBreaker } from "./cache/breaker";
import type { Config } from "./config";
import type { Ports } from "./context";
import type { CatalogDatabase } from "./db/types";
import { routeWindowStats } from "./analytics/index";
import type { Logger } from "./logger";
import type { Probe } from "./probe";
import {
  createMonitoringService,
  logPublisher,
  type AlertPublisher,
  type MonitoringService,
} from "./monitoring/monitor";
import { compareEverySearchKind } from "./search/drift";
import { searchOutboxHandler, searchSyncHeld } from "./search/outbox";
import type { SearchIndex } from "./search/port";
import { createSearchIndexFromConfig } from "./search/wiring";
import { isAnalyticsRecord } from "./analytics/records";
import { createOutboxDrainer, type OutboxDrainer } from "./outbox/index";
import type { ObjectStore } from "./storage/object-store";
import {
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
  type RateLimitStore,
} from "./rate-limit/rate-limit";

export type { Probe } from "./probe";

/** Everything a process needs, built once from configuration. */
export interface Runtime {
  readonly config: Config;
  readonly ports: Ports;
  readonly auth: AuthService;
  readonly catalog: CatalogDatabase;
  readonly probes: Probe[];
  /** Health, data-quality and performance checks with stored alerts. */
  readonly monitoring: MonitoringService;
  close(): Promise<void>;
}

/** SNS when ALERTS_TOPIC_ARN is set (loaded on first alert: most runs publish nothing), else the log. */
export function alertPublisher(config: Config, log: Logger): AlertPublisher {
  const arn = config.ALERTS_TOPIC_ARN;
  if (!arn) return logPublisher(log);
  let sns: Promise<AlertPublisher> | undefined;
  return {
    kind: "sns",
    async publish(opened) {
      sns ??= import("./monitoring/sns").then((m) => m.snsPublisher(arn));
      await (await sns).publish(opened);
    },
  };
}

/** REDIS_URL → Redis (ioredis) for cache and rate limits; otherwise both in memory. */
export function createCacheAdapters(
  config: Config,
  log: Logger,
): { cache: Cache; rateLimits: RateLimitStore; close(): Promise<void> } {
  if (!config.REDIS_URL) {
    const cache = createMemoryCache();
    return { cache, rateLimits: createMemoryRateLimitStore(), close: () => cache.close() };
  }
  const redis = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    // A command Redis does not answer in time fails (and counts against the breaker) instead
    // of holding the request: a cut or stalled Redis costs at most this per call.
    commandTimeout: 100,
    lazyConnect: false,
  });
  let lastError = 0;
  redis.on("error", (err: Error) => {
    if (Date.now() - lastError < 10_000) return;
    lastError = Date.now();
    log.warn({ err }, "redis connection error");
  });
  // One breaker for both: they share the connection, so they share its fate.
  const breaker = createCircuitBreaker({
    onChange: (open) =>
      open
        ? log.warn("redis unreachable: cache and rate limits run in memory")
        : log.info("redis is back: cache and rate limits shared again"),
  });
  return {
    cache: createRedisCache(redis, log, `${config.REDIS_KEY_PREFIX}cache:`, breaker),
    rateLimits: createRedisRateLimitStore(redis, `${config.REDIS_KEY_PREFIX}rl:`, breaker),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * The outbox drainer of this process: listen events go to the analytics store in batches whose
 * id is the insert's deduplication token (a batch resent after a crash is dropped by the store).
 * Without an analytics store (disabled), delivered events are discarded, as the queue would.
 * Search events rewrite the documents they name (`search/outbox.ts`), held while a reindex runs.
 */
function createOutbox(
  catalog: CatalogDatabase,
  log: Logger,
  analytics: AnalyticsAdapters,
  search: SearchIndex,
): OutboxDrainer {
  const enabled = analytics.port.queue.kind !== "disabled";
  return createOutboxDrainer(
    catalog.db,
    log,
    {
      search: searchOutboxHandler({ db: catalog.db, search, log }),
      analytics: async (batchId, payloads) => {
        if (!enabled) return;
        const records = payloads.filter(isAnalyticsRecord);
        if (records.length < payloads.length)
          log.warn(
            { batchId, dropped: payloads.length - records.length },
            "outbox: malformed events",
          );
        // The id alone could repeat across databases sharing one store (a restored or recreated
        // catalog); with the content's hash the token names these very rows.
        const digest = createHash("sha256").update(JSON.stringify(records)).digest("hex");
        await analytics.port.store.insert(records, {
          dedupToken: `outbox-${batchId}-${digest.slice(0, 24)}`,
        });
      },
    },
    { held: { search: () => searchSyncHeld(catalog.db) } },
  );
}

/** Assembles ports and services over an opened catalog database and object store. */
export function assembleRuntime(
  config: Config,
  catalog: CatalogDatabase,
  jwtSecret: string,
  log: Logger,
  objects: ObjectStore,
  /** Analytics store + queue; by default the server adapters from config (off without CLICKHOUSE_URL). */
  analytics: AnalyticsAdapters = createServerAnalytics(config, log),
): Runtime {
  const cacheAdapters = createCacheAdapters(config, log);
  const search = createSearchIndexFromConfig(config, catalog.db, log);
  const outbox = createOutbox(catalog, log, analytics, search);
  const ports: Ports = {
    outbox,
    db: catalog.db,
    cache: cacheAdapters.cache,
    rateLimits: cacheAdapters.rateLimits,
    log,
    objects,
    search,
    analytics: analytics.port,
  };
  const auth = createAuthService(ports, {
    tokens: createAccessTokens(jwtSecret, config.ACCESS_TOKEN_TTL_SECONDS),
    bcryptCost: config.BCRYPT_COST,
    refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
    loginMaxFailures: config.LOGIN_MAX_FAILURES,
    signupsPerIpPerHour: config.SIGNUP_PER_IP_PER_HOUR,
    refreshGraceMs: config.REFRESH_REUSE_GRACE_SECONDS * 1000,
  });
  const probes: Probe[] = [
    { name: "database", adapter: catalog.kind, ping: () => catalog.ping() },
    // Redis down: the cache and rate limits fall back to memory (degraded, not unavailable).
    {
      name: "cache",
      adapter: ports.cache.kind,
      critical: false,
      ping: () => ports.cache.ping(),
    },
    { name: "objects", adapter: objects.kind, ping: () => objects.ping() },
    { name: "search", adapter: search.kind, critical: false, ping: () => search.ping() },
  ];
  if (analytics.port.queue.kind !== "disabled") {
    const store = analytics.port.store;
    probes.push({
      name: "analytics",
      adapter: store.kind,
      critical: false,
      ping: () => store.ping(),
    });
  }
  const monitoring = createMonitoringService({
    db: ports.db,
    log,
    probes,
    objects,
    searchDrift: () => compareEverySearchKind({ db: catalog.db, search }, { repair: true }),
    ...(analytics.port.queue.kind !== "disabled"
      ? { routeStats: (since: Date) => routeWindowStats(analytics.port.store, since) }
      : {}),
    publisher: alertPublisher(config, log),
  });
  return {
    config,
    ports,
    auth,
    catalog,
    probes,
    monitoring,
    async close() {
      // Deliver committed outbox events while store and database are both open, then drain
      // queued analytics events (they may need the store, never the database).
      await outbox.close();
      await analytics.close();
      await cacheAdapters.close();
      await search.close();
      await catalog.close();
    },
  };
}
