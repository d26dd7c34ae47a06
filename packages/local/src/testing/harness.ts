import { createApp, type App } from "@jonquils/api";
import {
  assembleRuntime,
  createLogger,
  loadConfig,
  type CatalogDatabase,
  type Config,
  type Runtime,
} from "@jonquils/core";
import { disabledAnalytics } from "@jonquils/core/analytics/wiring";
import { connectPostgres } from "@jonquils/core/db/postgres";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import postgres from "postgres";
import { inject } from "vitest";
import type { TrackUploadRouteOptions } from "@jonquils/api/routes/uploads";
import type { ObjectCreatedEvent } from "@jonquils/core/storage/object-store";
import type { AudioCompute } from "@jonquils/pipeline/compute/port";
import {
  createLocalPipeline,
  shouldIngest,
  type ExecutionOutcome,
  type LocalPipeline,
  type LocalPipelineOptions,
} from "@jonquils/pipeline/executor";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPglite } from "../pglite";
import { openPgliteThread } from "../pglite-thread";
import { testAnalytics } from "./analytics";
import {
  createDiskObjectStore,
  deriveStorageSecret,
  type DiskObjectStore,
} from "../storage/disk-store";

/** "pglite-thread": PGlite on a worker thread, as `npm start` runs it (pglite-thread.ts). */
export type DbKind = "pglite" | "pglite-thread" | "postgres";

export const hasPostgres = () => inject("postgresTemplateUrl") !== "";
export const redisUrl = () => process.env["REDIS_URL"] || undefined;

/** The database adapters reachable in this run: PGlite always, the server when DATABASE_URL is set. */
export function dbKinds(): DbKind[] {
  return hasPostgres() ? ["pglite", "postgres"] : ["pglite"];
}

/** The wirings an API suite runs under: embedded engines, and PostgreSQL + Redis when both are reachable. */
export function wirings(): { name: string; db: DbKind; redis: boolean }[] {
  const out = [{ name: "pglite+memory", db: "pglite" as DbKind, redis: false }];
  if (hasPostgres())
    out.push({
      name: redisUrl() ? "postgres+redis" : "postgres+memory",
      db: "postgres",
      redis: !!redisUrl(),
    });
  return out;
}

let templateBlob: Blob | undefined;

/** A fresh, migrated catalog database for one test file, dropped on close. */
export async function openTestDatabase(kind: DbKind): Promise<CatalogDatabase & { url?: string }> {
  if (kind === "pglite") {
    templateBlob ??= new Blob([await readFile(inject("pgliteTemplate"))]);
    return openPglite({ loadDataDir: templateBlob });
  }
  if (kind === "pglite-thread") return openPgliteThread({ useTemplate: true, migrate: true });
  const templateUrl = inject("postgresTemplateUrl");
  const name = `jq_test_${inject("runId")}_${randomBytes(6).toString("hex")}`;
  const template = new URL(templateUrl).pathname.slice(1);
  const admin = postgres(templateUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(templateUrl);
  url.pathname = `/${name}`;
  const catalog = connectPostgres(url.toString(), { max: 4 });
  return {
    ...catalog,
    url: url.toString(),
    async close() {
      await catalog.close();
      const drop = postgres(templateUrl, { max: 1, onnotice: () => {} });
      await drop.unsafe(`drop database if exists ${name} with (force)`);
      await drop.end();
    },
  };
}

export const TEST_JWT_SECRET = "test-secret-that-is-at-least-32-characters-long";

export function testConfig(overrides: Record<string, string> = {}, redis = false): Config {
  return loadConfig({
    NODE_ENV: "test",
    BCRYPT_COST: "4",
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: "silent",
    RATE_LIMIT_IP_PER_MINUTE: "100000",
    RATE_LIMIT_USER_PER_MINUTE: "100000",
    SIGNUP_PER_IP_PER_HOUR: "100000",
    ...(redis && redisUrl()
      ? { REDIS_URL: redisUrl()!, REDIS_KEY_PREFIX: `jqtest:${randomBytes(6).toString("hex")}:` }
      : {}),
    ...overrides,
  });
}

export interface TestApi {
  runtime: Runtime;
  app: App;
  request(
    method: string,
    path: string,
    init?: { body?: unknown; token?: string; headers?: Record<string, string>; ip?: string },
  ): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  body: any;
}

export interface TestApiOptions {
  /** Run the ingestion state machine on every file that lands in the tracks bucket. */
  pipeline?: boolean | LocalPipelineOptions;
  /** Options of the URL import (a test allowlist for a loopback audio server). */
  uploadOptions?: TrackUploadRouteOptions;
  /**
   * Real analytics: chDB in a per-process temporary folder (ClickHouse when CLICKHOUSE_URL is
   * set), flushed every 100 ms. Off by default: events are dropped and reads answer 503, so
   * suites that do not need analytics never load chDB.
   */
  analytics?: boolean;
  /** Where the pipeline's audio work runs (default inline; tests of the worker pool pass one). */
  compute?: AudioCompute;
}

export interface TestApiWithStorage extends TestApi {
  /** The disk object store (a temporary folder), as the local wiring builds it. */
  store: DiskObjectStore;
  /** Every object-created event, in order. */
  events: ObjectCreatedEvent[];
  /** Executions started for those events, when the pipeline is on. */
  executions: Promise<ExecutionOutcome>[];
  pipeline: LocalPipeline | undefined;
  /** Sends a request to a URL the store signed (http://localhost:8000/storage/…) through the app. */
  fetchUrl(url: string, init?: RequestInit): Promise<Response>;
}

export const TEST_PUBLIC_URL = "http://localhost:8000";

/**
 * The real app over a fresh database and a disk object store in a temporary folder:
 * requests go through app.request(), no server needed.
 */
export async function startTestApi(
  wiring: { db: DbKind; redis: boolean },
  overrides: Record<string, string> = {},
  options: TestApiOptions = {},
): Promise<TestApiWithStorage> {
  const config = testConfig(overrides, wiring.redis);
  const catalog = await openTestDatabase(wiring.db);
  const log = createLogger("silent");
  const dir = await mkdtemp(join(tmpdir(), "jonquils-objects-"));
  const events: ObjectCreatedEvent[] = [];
  const executions: Promise<ExecutionOutcome>[] = [];
  let pipeline: LocalPipeline | undefined;
  const store = createDiskObjectStore({
    root: dir,
    publicUrl: TEST_PUBLIC_URL,
    secret: deriveStorageSecret(config.JWT_SECRET!),
    onObjectCreated: (event) => {
      events.push(event);
      if (pipeline && shouldIngest(event)) executions.push(pipeline.start(event));
    },
    log,
  });
  const runtime = assembleRuntime(
    config,
    catalog,
    config.JWT_SECRET!,
    log,
    store,
    options.analytics ? await testAnalytics(config, log) : disabledAnalytics(log),
  );
  if (options.pipeline) {
    pipeline = createLocalPipeline(
      {
        ...runtime.ports,
        analyseAudio: config.INGEST_ANALYSE_AUDIO,
        ...(options.compute ? { compute: options.compute } : {}),
      },
      { retryIntervalMs: 10, ...(typeof options.pipeline === "object" ? options.pipeline : {}) },
    );
  }
  const app = createApp({
    ...runtime,
    storageRoutes: store.routes,
    ...(options.uploadOptions ? { uploadOptions: options.uploadOptions } : {}),
    clientIp: (c) => c.req.header("x-test-ip") ?? "203.0.113.1",
  });
  return {
    runtime,
    app,
    store,
    events,
    executions,
    pipeline,
    fetchUrl: async (url, init) => app.fetch(new Request(url, init)),
    async request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers["authorization"] = `Bearer ${init.token}`;
      if (init.ip) headers["x-test-ip"] = init.ip;
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
        headers["content-type"] ??= "application/json";
      }
      const res = await app.request(path, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      const type = res.headers.get("content-type") ?? "";
      if (type.includes("json") && text) parsed = JSON.parse(text);
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async close() {
      await pipeline?.close();
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
      if (config.REDIS_URL) await dropRedisKeys(config.REDIS_URL, config.REDIS_KEY_PREFIX);
    },
  };
}

let counter = 0;
/** Registers a user and returns the session (token, refresh token, user). */
export async function registerUser(
  api: TestApi,
  name = `user${process.pid}${++counter}${randomBytes(2).toString("hex")}`,
) {
  const res = await api.request("POST", "/api/v1/auth/register", {
    body: { username: name, email: `${name}@example.com`, password: "correct horse battery" },
  });
  if (res.status !== 201)
    throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as {
    accessToken: string;
    refreshToken: string;
    user: { id: string; username: string };
  };
}

/** Registers a user, makes them an artist, and returns a token carrying the new role. */
export async function registerArtist(api: TestApi, artistName?: string) {
  const session = await registerUser(api);
  const res = await api.request("POST", "/api/v1/artists", {
    token: session.accessToken,
    body: { name: artistName ?? `Artist ${session.user.username}` },
  });
  if (res.status !== 201)
    throw new Error(`become artist failed: ${res.status} ${JSON.stringify(res.body)}`);
  const refreshed = await api.request("POST", "/api/v1/auth/refresh", {
    body: { refreshToken: session.refreshToken },
  });
  return { ...(refreshed.body as typeof session), artistId: res.body.id as string };
}

/** Makes an existing user an admin directly in the database and returns a fresh token. */
export async function promoteToAdmin(
  api: TestApi,
  session: { refreshToken: string; user: { id: string } },
) {
  const { schema } = await import("@jonquils/core");
  const { eq } = await import("drizzle-orm");
  await api.runtime.ports.db
    .update(schema.users)
    .set({ role: "admin" })
    .where(eq(schema.users.id, session.user.id));
  const refreshed = await api.request("POST", "/api/v1/auth/refresh", {
    body: { refreshToken: session.refreshToken },
  });
  return refreshed.body as { accessToken: string; refreshToken: string; user: { id: string } };
}

/** Removes a test run's keys (generation counters never expire by design). */
export async function dropRedisKeys(url: string, prefix: string) {
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
}
