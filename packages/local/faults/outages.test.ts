import { createApp, type App } from "@jonquils/api";
import { disabledAnalytics } from "@jonquils/core/analytics/wiring";
import { connectPostgres } from "@jonquils/core/db/postgres";
import { createLogger } from "@jonquils/core";
import { assembleRuntime, type Runtime } from "@jonquils/core/wiring";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiskObjectStore, deriveStorageSecret } from "../src/storage/disk-store";
import {
  hasPostgres,
  openTestDatabase,
  redisUrl,
  testConfig,
  dropRedisKeys,
} from "../src/testing/harness";
import { startTcpProxy, type TcpProxy } from "../src/testing/tcp-proxy";

const PASSWORD = "correct horse battery";
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

interface World {
  app: App;
  runtime: Runtime;
  dbProxy: TcpProxy;
  redisProxy: TcpProxy | undefined;
  close(): Promise<void>;
}

/** The real app over PostgreSQL (and Redis when set), both reached through proxies we can cut. */
async function startWorld(): Promise<World> {
  const test = await openTestDatabase("postgres");
  const url = new URL(test.url!);
  const dbProxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.hostname = "127.0.0.1";
  url.port = String(dbProxy.port);
  let redisProxy: TcpProxy | undefined;
  const overrides: Record<string, string> = {};
  if (redisUrl()) {
    const r = new URL(redisUrl()!);
    redisProxy = await startTcpProxy({ host: r.hostname, port: Number(r.port || 6379) });
    r.hostname = "127.0.0.1";
    r.port = String(redisProxy.port);
    overrides["REDIS_URL"] = r.toString();
  }
  const config = testConfig(overrides, !!redisUrl());
  const log = createLogger("silent");
  const dir = await mkdtemp(join(tmpdir(), "jonquils-faults-"));
  const objects = createDiskObjectStore({
    root: dir,
    publicUrl: "http://localhost:8000",
    secret: deriveStorageSecret(config.JWT_SECRET!),
    log,
  });
  const catalog = connectPostgres(url.toString(), { max: 4 });
  const runtime = assembleRuntime(
    config,
    catalog,
    config.JWT_SECRET!,
    log,
    objects,
    disabledAnalytics(log),
  );
  const app = createApp({
    ...runtime,
    clientIp: (c) => c.req.header("x-test-ip") ?? "203.0.113.9",
  });
  return {
    app,
    runtime,
    dbProxy,
    redisProxy,
    async close() {
      dbProxy.restore();
      redisProxy?.restore();
      await runtime.close();
      await test.close();
      await dbProxy.close();
      await redisProxy?.close();
      await rm(dir, { recursive: true, force: true });
      if (config.REDIS_URL) await dropRedisKeys(redisUrl()!, config.REDIS_KEY_PREFIX);
    },
  };
}

async function call(app: App, method: string, path: string, token?: string, body?: unknown) {
  const started = performance.now();
  const res = await app.request(path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    ms: performance.now() - started,
    type: res.headers.get("content-type") ?? "",
    retryAfter: res.headers.get("retry-after"),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

describe.skipIf(!hasPostgres())("PostgreSQL cut through a proxy", () => {
  let w: World;
  let token: string;
  beforeAll(async () => {
    w = await startWorld();
    const reg = await call(w.app, "POST", "/api/v1/auth/register", undefined, {
      username: "outage1",
      email: "outage1@example.com",
      password: PASSWORD,
    });
    expect(reg.status).toBe(201);
    token = reg.body["accessToken"] as string;
  });
  afterAll(() => w.close());

  for (const mode of ["blackhole", "reset"] as const) {
    it(`answers 503 problem+json within 2 s while cut (${mode}), never 500, and recovers alone`, async () => {
      expect((await call(w.app, "GET", "/api/v1/auth/me", token)).status).toBe(200);
      w.dbProxy.cut(mode);
      const during: Awaited<ReturnType<typeof call>>[] = [];
      const until = Date.now() + 6000;
      while (Date.now() < until) {
        // More at once than the pool has connections: waiting for one must fail fast too.
        during.push(
          ...(await Promise.all(
            Array.from({ length: 6 }, () => call(w.app, "GET", "/api/v1/auth/me", token)),
          )),
        );
      }
      const health = await call(w.app, "GET", "/health");
      w.dbProxy.restore();
      const statuses = new Set(during.map((r) => r.status));
      expect(statuses.has(500)).toBe(false);
      expect([...statuses].every((s) => s === 503 || s === 200)).toBe(true);
      const refused = during.filter((r) => r.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r.type).toContain("application/problem+json");
        expect(r.body["code"]).toBe("database_unavailable");
        expect(Number(r.retryAfter)).toBeGreaterThan(0);
      }
      const max = Math.max(...during.map((r) => r.ms));
      console.log(
        `[faults] postgres ${mode}: ${during.length} requests, ${refused.length} × 503, max ${max.toFixed(0)} ms, p99 ${pct(
          during.map((r) => r.ms),
          99,
        ).toFixed(0)} ms`,
      );
      expect(max).toBeLessThan(2000);
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ status: "unavailable" });
      // Recovery without a restart.
      const back = Date.now();
      for (;;) {
        const r = await call(w.app, "GET", "/api/v1/auth/me", token);
        if (r.status === 200) break;
        expect(r.status).toBe(503);
        expect(Date.now() - back).toBeLessThan(10_000);
        await new Promise((res) => setTimeout(res, 200));
      }
      console.log(`[faults] postgres ${mode}: recovered ${Date.now() - back} ms after restore`);
    });
  }
});

describe.skipIf(!hasPostgres() || !redisUrl())("Redis cut through a proxy", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(() => w.close());

  for (const mode of ["blackhole", "reset"] as const) {
    it(`keeps cached reads and sign-ins under 200 ms (p99) while Redis is cut (${mode}); /health degraded`, async () => {
      const name = `redis${mode}`;
      const reg = await call(w.app, "POST", "/api/v1/auth/register", undefined, {
        username: name,
        email: `${name}@example.com`,
        password: PASSWORD,
      });
      expect(reg.status).toBe(201);
      expect((await call(w.app, "GET", "/api/v1/genres")).status).toBe(200);
      w.redisProxy!.cut(mode);
      const reads: number[] = [];
      const logins: number[] = [];
      const statuses = new Set<number>();
      for (let i = 0; i < 300; i++) {
        const g = await call(w.app, "GET", "/api/v1/genres");
        reads.push(g.ms);
        statuses.add(g.status);
        if (i % 3 === 0) {
          const l = await call(w.app, "POST", "/api/v1/auth/login", undefined, {
            login: name,
            password: PASSWORD,
          });
          logins.push(l.ms);
          statuses.add(l.status);
        }
      }
      const health = await call(w.app, "GET", "/health");
      w.redisProxy!.restore();
      console.log(
        `[faults] redis ${mode}: genres p99 ${pct(reads, 99).toFixed(0)} ms (max ${Math.max(...reads).toFixed(0)}), login p99 ${pct(logins, 99).toFixed(0)} ms`,
      );
      expect([...statuses]).toEqual([200]);
      expect(pct(reads, 99)).toBeLessThanOrEqual(200);
      expect(pct(logins, 99)).toBeLessThanOrEqual(200 + 150);
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: "degraded" });
    });
  }
});
