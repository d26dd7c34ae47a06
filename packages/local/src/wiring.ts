import {
  assembleRuntime,
  createLogger,
  type CatalogDatabase,
  type Config,
  type Logger,
  type Runtime,
} from "@jonquils/core";
import { connectPostgres, migratePostgres } from "@jonquils/core/db/postgres";
import type { AnalyticsAdapters } from "@jonquils/core/analytics/wiring";
import type { ObjectCreatedEvent, ObjectStore } from "@jonquils/core/storage/object-store";
import { createAudioPool } from "@jonquils/pipeline/compute/pool";
import { createLocalPipeline, shouldIngest, type LocalPipeline } from "@jonquils/pipeline/executor";
import type { Hono } from "hono";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openLocalAnalytics } from "./analytics/open";
import { startAnalyticsRefresh } from "./analytics/scheduler";
import { recoverUploads } from "@jonquils/core/upload/lifecycle";
import { localJwtSecret } from "./secret";

/** The local twin of the hourly EventBridge reconcile schedule. */
const RECOVERY_EVERY_MS = 3600_000;
import { createDiskObjectStore, deriveStorageSecret } from "./storage/disk-store";

/**
 * Opens the catalog database and applies migrations: the PostgreSQL server when
 * DATABASE_URL is set, otherwise PGlite with its data under DATA_DIR. PGlite is
 * imported dynamically so it never reaches a server or Lambda bundle. With `log`, a
 * crashed PGlite worker is logged and reopened; one that keeps crashing ends the process
 * (exit 1) instead of answering 503 for ever — the crash recovery at the next start
 * re-drives interrupted uploads and the outbox keeps accepted listens.
 */
export async function openLocalCatalog(config: Config, log?: Logger): Promise<CatalogDatabase> {
  if (config.DATABASE_URL) {
    await migratePostgres(config.DATABASE_URL);
    return connectPostgres(config.DATABASE_URL);
  }
  // PGlite on a worker thread (template load and migrations there too): its statements run
  // off the API's event loop (pglite-thread.ts).
  const { openPgliteThread } = await import("./pglite-thread");
  return openPgliteThread(
    { dataDir: join(config.DATA_DIR, "pgdata"), useTemplate: true, migrate: true },
    log
      ? {
          onRestart: (err, restarts) =>
            log.error({ err, restarts }, "the embedded database crashed and was reopened"),
          onFatal: (err) => {
            log.fatal({ err }, "the embedded database keeps crashing: stopping the server");
            process.exitCode = 1;
            setTimeout(() => process.exit(1), 100).unref();
          },
        }
      : {},
  );
}

export interface LocalObjectStore {
  objects: ObjectStore;
  /** The signed upload/download routes of the disk store, mounted at /storage (none for S3). */
  routes?: Hono;
  /** Whether this process hears of new objects (disk store, or MinIO's webhook) and runs the pipeline. */
  announcesEvents: boolean;
  close?: () => Promise<void>;
}

/**
 * S3 when the S3_BUCKET_* variables are set (LocalStack or AWS), else files under
 * DATA_DIR/objects behind URLs this server signs. New objects are announced to `onCreated`.
 */
export async function openLocalObjectStore(
  config: Config,
  jwtSecret: string,
  log: Logger,
  onCreated: (event: ObjectCreatedEvent) => void,
): Promise<LocalObjectStore> {
  // The AWS SDK is loaded only when S3 is configured: it is a large import for a local start.
  // With S3 the pipeline is started by S3 → EventBridge → Step Functions, not by this process.
  if (config.S3_BUCKET_TRACKS) {
    const { createS3ObjectStoreFromConfig } = await import("@jonquils/core/storage/s3-config");
    const s3 = createS3ObjectStoreFromConfig(config);
    if (s3 && config.S3_EVENTS_PORT) {
      // MinIO on loopback (`npm run start:servers`): its webhook stands in for EventBridge.
      const { listenMinioEvents } = await import("./storage/minio-events");
      const token = (await readFile(join(config.DATA_DIR, "s3-events.token"), "utf8")).trim();
      const events = await listenMinioEvents({
        port: config.S3_EVENTS_PORT,
        token,
        buckets: { tracks: s3.bucketNames.tracks },
        onCreated,
        log,
      });
      return { objects: s3, announcesEvents: true, close: () => events.close() };
    }
    if (s3) return { objects: s3, announcesEvents: false };
  }
  const disk = createDiskObjectStore({
    root: join(config.DATA_DIR, "objects"),
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    secret: deriveStorageSecret(jwtSecret),
    onObjectCreated: onCreated,
    log,
  });
  return { objects: disk, routes: disk.routes, announcesEvents: true };
}

export interface LocalRuntime extends Runtime {
  readonly pipeline: LocalPipeline;
  readonly storageRoutes: Hono | undefined;
}

/**
 * The local wiring: embedded engines unless env vars point at servers, and the ingestion
 * state machine run in-process whenever the local store receives a file.
 */
export async function createLocalRuntime(config: Config): Promise<LocalRuntime> {
  const log = createLogger(config.LOG_LEVEL);
  const catalog = await openLocalCatalog(config, log);
  const secret = await localJwtSecret(config.DATA_DIR, config.JWT_SECRET);
  // The store needs the listener before the pipeline (which needs the store) exists.
  const late: { pipeline?: LocalPipeline } = {};
  const store = await openLocalObjectStore(config, secret, log, (event) => {
    // Only uploads are ingested; other objects (covers, demo clips) are not.
    if (!shouldIngest(event) || !late.pipeline) return;
    void late.pipeline
      .start(event)
      .then((outcome) => log.info({ ...outcome, key: event.key }, "ingestion finished"));
  });
  const analytics = openLocalAnalytics(config, log);
  const runtime = assembleRuntime(config, catalog, secret, log, store.objects, analytics);
  // Track popularity and the data_warehouse aggregates, from analytics, every minute.
  const refresh = startAnalyticsRefresh(
    { ...runtime.ports, meta: {} },
    config.ANALYTICS_REFRESH_MS,
    log,
  );
  // Decode, analysis and thumbnails on worker threads (cores − 1): the API's event loop
  // only coordinates the steps.
  const compute = createAudioPool({
    onError: (err) => log.error({ err }, "audio worker failed outside a task"),
  });
  const started = createLocalPipeline({
    ...runtime.ports,
    analyseAudio: config.INGEST_ANALYSE_AUDIO,
    compute,
  });
  late.pipeline = started;
  // The step modules load in the background soon after start, not during the first upload.
  const warming = setTimeout(() => {
    started.warm().catch((err: unknown) => log.warn({ err }, "pipeline modules not preloaded"));
  }, 3000);
  warming.unref();
  // Crash safety: at start and every hour, expired tickets fail, interrupted runs are
  // re-driven (bounded) and objects whose event was lost are found (the reconcile sweep).
  const recover = () =>
    recoverUploads(
      { db: runtime.ports.db, objects: store.objects, log },
      (event) => void started.start(event),
      { live: started.liveKeys() },
    ).then(
      (report) => log.info(report, "upload recovery sweep"),
      (err: unknown) => log.error({ err }, "upload recovery sweep failed"),
    );
  // The disk store and MinIO's webhook announce events; with S3 on AWS, EventBridge starts
  // the cloud pipeline instead (and the reconcile schedule runs there).
  const recovery = store.announcesEvents
    ? setInterval(() => void recover(), RECOVERY_EVERY_MS)
    : undefined;
  recovery?.unref();
  if (store.announcesEvents) void recover();
  return {
    ...runtime,
    pipeline: started,
    storageRoutes: store.routes,
    async close() {
      clearTimeout(warming);
      if (recovery) clearInterval(recovery);
      await refresh.stop();
      await store.close?.();
      await started.close();
      await compute.close();
      // Drains the analytics queue (or spills it to DATA_DIR/analytics-spool) before closing.
      await runtime.close();
    },
  };
}

/**
 * The local wiring around a catalog the caller opened — the benches bring a generated one
 * (PGlite in a fresh folder, or a PostgreSQL database they filled), which is what they measure:
 * the disk object store under DATA_DIR/objects and the ports `assembleRuntime` picks from the
 * config, as `npm start` has them; no pipeline, no schedulers. Analytics is off unless given.
 */
export function assembleLocalRuntime(
  config: Config,
  catalog: CatalogDatabase,
  options: { log: Logger; publicUrl?: string; analytics?: AnalyticsAdapters },
): Runtime {
  const secret = config.JWT_SECRET;
  if (!secret) throw new Error("assembleLocalRuntime needs JWT_SECRET in the config");
  const objects = createDiskObjectStore({
    root: join(config.DATA_DIR, "objects"),
    publicUrl: options.publicUrl ?? config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    secret: deriveStorageSecret(secret),
    log: options.log,
  });
  return assembleRuntime(config, catalog, secret, options.log, objects, options.analytics);
}
