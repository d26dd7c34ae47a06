import { createLambdaHandler } from "@jonquils/api";
import { assembleRuntime, createLogger } from "@jonquils/core";
import type { AnalyticsRecord } from "@jonquils/core/analytics/records";
import { disabledAnalytics } from "@jonquils/core/analytics/wiring";
import { createBatchingQueue } from "@jonquils/core/queue/queue";
import {
  hasPostgres,
  openTestDatabase,
  testConfig,
  TEST_JWT_SECRET,
} from "@jonquils/local/testing/harness";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import type { LambdaEvent } from "hono/aws-lambda";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDiskObjectStore } from "@jonquils/local/storage/disk-store";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

function httpApiEvent(
  method: string,
  path: string,
  init: {
    query?: string;
    body?: unknown;
    headers?: Record<string, string>;
    sourceIp?: string;
  } = {},
): APIGatewayProxyEventV2 {
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: init.query ?? "",
    headers: {
      host: "api.example.com",
      "user-agent": "vitest",
      ...(body ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "api-id",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: {
        method,
        path,
        protocol: "HTTP/1.1",
        sourceIp: init.sourceIp ?? "203.0.113.9",
        userAgent: "vitest",
      },
      requestId: "req-1",
      routeKey: "$default",
      stage: "$default",
      time: "26/Nov/2026:08:00:00 +0000",
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
    ...(body ? { body } : {}),
  };
}

const lambdaContext = { awsRequestId: "req-1", functionName: "api" } as Context;

// @types/aws-lambda marks an absent body `undefined`, hono's event type says `null`: same wire shape.
const asHonoEvent = (event: APIGatewayProxyEventV2) => event as unknown as LambdaEvent;

describe("API Lambda handler (API Gateway HTTP API v2 events)", () => {
  let handler: ReturnType<typeof createLambdaHandler>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const config = testConfig({ LOGIN_MAX_FAILURES: "1" });
    const log = createLogger("silent");
    const objects = createDiskObjectStore({
      root: await mkdtemp(join(tmpdir(), "jq-lambda-")),
      publicUrl: "https://api.example.com",
      secret: TEST_JWT_SECRET,
      log,
    });
    const runtime = assembleRuntime(
      config,
      await openTestDatabase("pglite"),
      TEST_JWT_SECRET,
      log,
      objects,
    );
    handler = createLambdaHandler(runtime);
    close = () => runtime.close();
  });
  afterAll(() => close());

  const invoke = async (event: APIGatewayProxyEventV2) =>
    (await handler(asHonoEvent(event), lambdaContext)) as APIGatewayProxyStructuredResultV2;

  it("serves a query-string request", async () => {
    const res = await invoke(httpApiEvent("GET", "/api/v1/genres"));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!).items.map((g: { slug: string }) => g.slug)).toContain("rock");
  });

  it("runs a register → me round trip with a JSON body and bearer token", async () => {
    const reg = await invoke(
      httpApiEvent("POST", "/api/v1/auth/register", {
        body: {
          username: "lambda",
          email: "lambda@example.com",
          password: "correct horse battery",
        },
      }),
    );
    expect(reg.statusCode).toBe(201);
    const token = JSON.parse(reg.body!).accessToken as string;
    const me = await invoke(
      httpApiEvent("GET", "/api/v1/auth/me", { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(me.statusCode).toBe(200);
    expect(JSON.parse(me.body!).username).toBe("lambda");
  });

  it("answers client mistakes with problem+json, not 500", async () => {
    const res = await invoke(httpApiEvent("GET", "/api/v1/tracks", { query: "limit=0" }));
    expect(res.statusCode).toBe(400);
    expect(res.headers?.["content-type"]).toContain("application/problem+json");
  });

  it("rate-limits failed logins by API Gateway's sourceIp", async () => {
    const attempt = (ip: string) =>
      invoke(
        httpApiEvent("POST", "/api/v1/auth/login", {
          body: { login: "lambda", password: "wrong one" },
          sourceIp: ip,
        }),
      );
    expect((await attempt("198.51.100.1")).statusCode).toBe(401);
    expect((await attempt("198.51.100.1")).statusCode).toBe(429);
    expect((await attempt("198.51.100.2")).statusCode).toBe(401);
  });
});

describe.skipIf(!hasPostgres())("functions/api.ts module (PostgreSQL)", () => {
  it("builds its runtime from the environment and serves /health", async () => {
    const catalog = await openTestDatabase("postgres");
    // The module reads its configuration at cold start.
    vi.stubEnv("DATABASE_URL", catalog.url);
    vi.stubEnv("JWT_SECRET", TEST_JWT_SECRET);
    vi.stubEnv("LOG_LEVEL", "silent");
    for (const b of ["TRACKS", "COVERS", "PLAYLISTS", "TEMP"])
      vi.stubEnv(`S3_BUCKET_${b}`, `jonquils-test-${b.toLowerCase()}`);
    const { handler: moduleHandler } = await import("./api");
    const res = (await moduleHandler(
      asHonoEvent(httpApiEvent("GET", "/health")),
      lambdaContext,
    )) as APIGatewayProxyStructuredResultV2;
    // No S3 is reachable here, so the object store reports down; the database is up on the server.
    const health = JSON.parse(res.body!);
    // In public /health answers the status alone (component details are for admins).
    expect(health.components).toBeUndefined();
    expect(["ok", "degraded", "unavailable"]).toContain(health.status);
    vi.unstubAllEnvs();
    await catalog.close();
  });
});

describe("functions/api.ts cold start", () => {
  it("fails naming the variable when DATABASE_URL is missing", async () => {
    vi.resetModules();
    vi.stubEnv("DATABASE_URL", "");
    await expect(import("./api")).rejects.toThrow(/DATABASE_URL/);
    vi.unstubAllEnvs();
  });
});

describe("API Lambda handler and analytics", () => {
  it("sends the invocation's analytics events before it returns (a frozen container sends nothing)", async () => {
    const config = testConfig();
    const log = createLogger("silent");
    const objects = createDiskObjectStore({
      root: await mkdtemp(join(tmpdir(), "jq-lambda-")),
      publicUrl: "https://api.example.com",
      secret: TEST_JWT_SECRET,
      log,
    });
    const sent: AnalyticsRecord[][] = [];
    // A timer an hour long: only the handler's own flush can send within this test.
    const queue = createBatchingQueue<AnalyticsRecord>({
      kind: "test",
      log,
      flushMs: 3_600_000,
      send: (batch) => {
        sent.push(batch);
        return Promise.resolve();
      },
    });
    const disabled = disabledAnalytics(log);
    const runtime = assembleRuntime(
      config,
      await openTestDatabase("pglite"),
      TEST_JWT_SECRET,
      log,
      objects,
      {
        port: { store: disabled.port.store, queue },
        close: () => queue.close(),
      },
    );
    try {
      const handler = createLambdaHandler(runtime);
      const res = (await handler(
        asHonoEvent(httpApiEvent("GET", "/api/v1/genres")),
        lambdaContext,
      )) as APIGatewayProxyStructuredResultV2;
      expect(res.statusCode).toBe(200);
      const records = sent.flat();
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ table: "api_requests_log" });
      expect(records[0]!.values).toEqual(expect.arrayContaining(["GET", "/api/v1/genres", 200]));
    } finally {
      await runtime.close();
    }
  });

  it("answers on time when the queue hangs: the flush is waited for briefly, the events stay queued", async () => {
    const log = createLogger("silent");
    const objects = createDiskObjectStore({
      root: await mkdtemp(join(tmpdir(), "jq-lambda-")),
      publicUrl: "https://api.example.com",
      secret: TEST_JWT_SECRET,
      log,
    });
    let release: () => void = () => {};
    const queue = createBatchingQueue<AnalyticsRecord>({
      kind: "test",
      log,
      flushMs: 3_600_000,
      attempts: 1,
      send: () => new Promise<void>((resolve) => (release = resolve)),
    });
    const disabled = disabledAnalytics(log);
    const runtime = assembleRuntime(
      testConfig(),
      await openTestDatabase("pglite"),
      TEST_JWT_SECRET,
      log,
      objects,
      { port: { store: disabled.port.store, queue }, close: () => queue.close() },
    );
    try {
      const handler = createLambdaHandler(runtime);
      const started = performance.now();
      const res = (await handler(
        asHonoEvent(httpApiEvent("GET", "/api/v1/genres")),
        lambdaContext,
      )) as APIGatewayProxyStructuredResultV2;
      expect(res.statusCode).toBe(200);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(queue.stats().inFlight + queue.stats().buffered).toBeGreaterThan(0);
    } finally {
      release();
      await runtime.close();
    }
  });
});
