import { createLambdaHandler } from "@jonquils/api";
import { assembleRuntime, createLogger } from "@jonquils/core";
import { openTestDatabase, testConfig, TEST_JWT_SECRET } from "@jonquils/local/testing/harness";
import { createDiskObjectStore } from "@jonquils/local/storage/disk-store";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import type { LambdaEvent } from "hono/aws-lambda";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const event = (
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
) =>
  ({
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: {
      host: "api.example.com",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "api-id",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "vitest" },
      requestId: `apigw-${path}`,
      routeKey: "$default",
      stage: "$default",
      time: "26/Nov/2026:08:00:00 +0000",
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }) satisfies APIGatewayProxyEventV2 as unknown as LambdaEvent;

const context = {
  awsRequestId: "lambda-req-1",
  functionName: "test-jonquils-Api-api",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-central-1:123456789012:function:api",
  memoryLimitInMB: "1024",
  logGroupName: "/aws/lambda/api",
  logStreamName: "stream",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
} as Context;

describe("Lambda logs and metrics (Powertools)", () => {
  let lines: string[] = [];
  let wrapped: Awaited<ReturnType<typeof setUp>>["wrapped"];
  let close: () => Promise<void>;

  async function setUp() {
    // The wrapper prints only when asked to in tests; here it is asked to.
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "INFO");
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
    const { withApiObservability } = await import("./observability");
    const log = createLogger("silent");
    const runtime = assembleRuntime(
      testConfig(),
      await openTestDatabase("pglite"),
      TEST_JWT_SECRET,
      log,
      createDiskObjectStore({
        root: await mkdtemp(join(tmpdir(), "jq-obs-")),
        publicUrl: "https://api.example.com",
        secret: TEST_JWT_SECRET,
        log,
      }),
    );
    const wrapped = withApiObservability(
      createLambdaHandler(runtime),
      async (token) => (await runtime.auth.verifyAccessToken(token)).userId,
    );
    return { wrapped, close: () => runtime.close() };
  }

  beforeAll(async () => {
    ({ wrapped, close } = await setUp());
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      return true;
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await close();
  });

  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it("logs one JSON line per request with request id, user and route, and EMF metrics", async () => {
    const reg = await wrapped(
      event(
        "POST",
        "/api/v1/auth/register",
        {},
        {
          username: "observed",
          email: "observed@example.com",
          password: "correct horse battery",
        },
      ),
      context,
    );
    expect(reg.statusCode).toBe(201);
    const { accessToken, user } = JSON.parse(reg.body) as {
      accessToken: string;
      user: { id: string };
    };

    lines = [];
    const me = await wrapped(
      event("GET", "/api/v1/auth/me", { authorization: `Bearer ${accessToken}` }),
      context,
    );
    expect(me.statusCode).toBe(200);
    const request = records().find((r) => r["message"] === "request");
    expect(request).toMatchObject({
      level: "INFO",
      service: "jonquils",
      route: "GET /api/v1/auth/me",
      user: user.id,
      status: 200,
      requestId: me.headers?.["x-request-id"],
      apiRequestId: "apigw-/api/v1/auth/me",
      function_request_id: "lambda-req-1",
      function_name: "test-jonquils-Api-api",
    });
    const emf = records().find((r) => r["_aws"]);
    expect(emf).toMatchObject({ Requests: 1, service: "jonquils", fn: "api" });
    expect(
      (emf!["_aws"] as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]!
        .Namespace,
    ).toBe("Jonquils");
  });

  it("never carries a user into the next request, nor trusts a token it cannot verify", async () => {
    lines = [];
    await wrapped(event("GET", "/api/v1/genres"), context);
    await wrapped(event("GET", "/api/v1/genres", { authorization: "Bearer not.a.jwt" }), context);
    const requests = records().filter((r) => r["message"] === "request");
    expect(requests).toHaveLength(2);
    for (const r of requests) expect(r).not.toHaveProperty("user");
    expect(requests.map((r) => r["status"])).toEqual([200, 401]);
  });
});
