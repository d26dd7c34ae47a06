import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { databasePasswordSource, extensionClient, resolveSecrets } from "./secrets";

/**
 * functions/secrets.ts against a stand-in of the AWS Parameters and Secrets Lambda Extension:
 * the same HTTP API on localhost (paths, query, token header, 400 for a missing parameter),
 * so the module's real client is what is tested.
 */
const TOKEN = "session-token";
const parameters = new Map<string, string>();
const secrets = new Map<string, string>();
const requests: string[] = [];
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push(url.pathname + url.search);
    if (req.headers["x-aws-parameters-secrets-token"] !== TOKEN) {
      res.writeHead(401).end("missing token");
      return;
    }
    if (url.pathname === "/systemsmanager/parameters/get") {
      const name = url.searchParams.get("name")!;
      const value = parameters.get(name);
      if (value === undefined || url.searchParams.get("withDecryption") !== "true") {
        res.writeHead(400).end("ParameterNotFound");
        return;
      }
      res.end(JSON.stringify({ Parameter: { Name: name, Type: "SecureString", Value: value } }));
      return;
    }
    if (url.pathname === "/secretsmanager/get") {
      const value = secrets.get(url.searchParams.get("secretId")!);
      if (value === undefined) {
        res.writeHead(400).end("ResourceNotFoundException");
        return;
      }
      res.end(JSON.stringify({ SecretString: value }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  parameters.clear();
  secrets.clear();
  requests.length = 0;
  vi.unstubAllEnvs();
});

const DB_SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!db-1";
const REDIS_SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:valkey-1";
const BOUND = {
  SST_APP: "jonquils",
  SST_STAGE: "test",
  SST_SSM_PREFIX: "/sst/jonquils/test/",
  AWS_SESSION_TOKEN: TOKEN,
  AWS_LAMBDA_FUNCTION_NAME: "api",
  DATABASE_HOST: "db.internal",
  DATABASE_PORT: "5432",
  DATABASE_NAME: "jonquils",
  DATABASE_USER: "jonquils",
  DATABASE_SECRET_ARN: DB_SECRET,
  REDIS_HOST: "cache.internal",
  REDIS_PORT: "6379",
  REDIS_USER: "jonquils",
  REDIS_SECRET_ARN: REDIS_SECRET,
  SST_Secret_value_JWT_SECRET: "__FETCH_FROM_SSM__",
  SST_Secret_value_CLICKHOUSE_URL: "__FETCH_FROM_SSM__",
} as Record<string, string>;
const env = (extra: Record<string, string> = {}) => ({
  ...BOUND,
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
  ...extra,
});
const localhostClient = (e: Record<string, string>) => {
  // The extension listens on localhost; the stand-in on 127.0.0.1 (same thing here).
  return extensionClient(e);
};

describe("secrets at cold start through the Parameters and Secrets extension (functions/secrets.ts)", () => {
  it("resolves bound SST secrets, DATABASE_URL (TLS verified) and REDIS_URL, passwords encoded", async () => {
    parameters.set("/sst/jonquils/test/Secret/JWT_SECRET/value", "j".repeat(40));
    // A secret set for every stage at once (sst secrets set --fallback).
    parameters.set(
      "/sst/jonquils/.fallback/Secret/CLICKHOUSE_URL/value",
      "https://ch.example:8443",
    );
    secrets.set(DB_SECRET, JSON.stringify({ username: "jonquils", password: "p@ss/w:rd ?#" }));
    secrets.set(REDIS_SECRET, "valkey pass+/");
    const e = env();
    const out = await resolveSecrets(e, localhostClient(e));
    expect(out["JWT_SECRET"]).toBe("j".repeat(40));
    expect(out["CLICKHOUSE_URL"]).toBe("https://ch.example:8443");
    const db = new URL(out["DATABASE_URL"]!);
    expect(decodeURIComponent(db.password)).toBe("p@ss/w:rd ?#");
    expect(db.host).toBe("db.internal:5432");
    expect(db.searchParams.get("sslmode")).toBe("verify-full");
    const redis = new URL(out["REDIS_URL"]!);
    expect(redis.protocol).toBe("rediss:");
    expect(redis.username).toBe("jonquils");
    expect(decodeURIComponent(redis.password)).toBe("valkey pass+/");
  });

  it("never overrides a variable that is already set, and names a secret that is not set", async () => {
    parameters.set("/sst/jonquils/test/Secret/CLICKHOUSE_URL/value", "https://ch");
    secrets.set(REDIS_SECRET, "x");
    const e = env({ DATABASE_URL: "postgres://me@localhost/mine", JWT_SECRET: "k".repeat(40) });
    const out = await resolveSecrets(e, localhostClient(e));
    expect(out).not.toHaveProperty("DATABASE_URL");
    expect(out).not.toHaveProperty("JWT_SECRET");
    expect(requests.some((r) => r.includes("JWT_SECRET"))).toBe(false);

    const missing = env();
    secrets.set(DB_SECRET, '{"password":"p"}');
    await expect(resolveSecrets(missing, localhostClient(missing))).rejects.toThrow(
      /JWT_SECRET: the secret is not set for this stage \(npx sst secrets set JWT_SECRET … --stage test\)/,
    );
  });

  it("re-reads the database password each time a connection opens (a rotated secret is used)", async () => {
    secrets.set(DB_SECRET, JSON.stringify({ username: "jonquils", password: "first" }));
    const e = env();
    const password = databasePasswordSource(e, localhostClient(e))!;
    expect(await password()).toBe("first");
    secrets.set(DB_SECRET, JSON.stringify({ username: "jonquils", password: "rotated" }));
    expect(await password()).toBe("rotated");
    // Outside Lambda (npm start, tests) the URL's password is used.
    expect(databasePasswordSource({ DATABASE_SECRET_ARN: DB_SECRET })).toBeUndefined();
  });

  it("fails loudly when the extension refuses the token", async () => {
    const e = env({ AWS_SESSION_TOKEN: "wrong" });
    await expect(resolveSecrets(e, localhostClient(e))).rejects.toThrow(/extension: 401/);
  });
});
