import { Redis } from "ioredis";
import { createAccessTokens, createAuthService, type AuthService } from "./auth/index";
import type { Cache } from "./cache/cache";
import { createMemoryCache } from "./cache/memory";
import { createRedisCache } from "./cache/redis";
import type { Config } from "./config";
import type { Ports } from "./context";
import type { CatalogDatabase } from "./db/types";
import type { Logger } from "./logger";
import type { ObjectStore } from "./storage/object-store";
import {
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
  type RateLimitStore,
} from "./rate-limit/rate-limit";

export interface Probe {
  name: string;
  adapter: string;
  ping(): Promise<void>;
}

/** Everything a process needs, built once from configuration. */
export interface Runtime {
  readonly config: Config;
  readonly ports: Ports;
  readonly auth: AuthService;
  readonly catalog: CatalogDatabase;
  readonly probes: Probe[];
  close(): Promise<void>;
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
    connectTimeout: 2000,
    lazyConnect: false,
  });
  redis.on("error", (err: Error) => log.warn({ err }, "redis connection error"));
  return {
    cache: createRedisCache(redis, log, `${config.REDIS_KEY_PREFIX}cache:`),
    rateLimits: createRedisRateLimitStore(redis, `${config.REDIS_KEY_PREFIX}rl:`),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Assembles ports and services over an opened catalog database and object store. */
export function assembleRuntime(
  config: Config,
  catalog: CatalogDatabase,
  jwtSecret: string,
  log: Logger,
  objects: ObjectStore,
): Runtime {
  const cacheAdapters = createCacheAdapters(config, log);
  const ports: Ports = {
    db: catalog.db,
    cache: cacheAdapters.cache,
    rateLimits: cacheAdapters.rateLimits,
    log,
    objects,
  };
  const auth = createAuthService(ports, {
    tokens: createAccessTokens(jwtSecret, config.ACCESS_TOKEN_TTL_SECONDS),
    bcryptCost: config.BCRYPT_COST,
    refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
    loginMaxFailures: config.LOGIN_MAX_FAILURES,
  });
  return {
    config,
    ports,
    auth,
    catalog,
    probes: [
      { name: "database", adapter: catalog.kind, ping: () => catalog.ping() },
      { name: "cache", adapter: ports.cache.kind, ping: () => ports.cache.ping() },
      { name: "objects", adapter: objects.kind, ping: () => objects.ping() },
    ],
    async close() {
      await cacheAdapters.close();
      await catalog.close();
    },
  };
}
