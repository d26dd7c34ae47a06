import { describe, expect, it } from "vitest";
import { readSettings } from "./settings";
import { formatChecks, runChecks, type DeployCheckClients } from "../scripts/deploy-check";

/** An account as the fakes describe it: what exists, what the quota is, whether ClickHouse answers. */
function fakeAccount(state: {
  parameters?: Record<string, string>;
  roles?: string[];
  quota?: number;
  clickhouse?: "up" | "down";
  credentials?: boolean;
}): DeployCheckClients {
  return {
    async callerIdentity() {
      if (state.credentials === false)
        throw new Error("Could not load credentials from any providers");
      return { account: "123456789012", arn: "arn:aws:iam::123456789012:user/dev" };
    },
    roleExists: async (name) => (state.roles ?? []).includes(name),
    parameter: async (name) => state.parameters?.[name],
    concurrencyLimit: async () => state.quota ?? 1000,
    async pingClickHouse() {
      if (state.clickhouse === "down") throw new Error("connect ETIMEDOUT");
      return "Ok.\n";
    },
  };
}
const secret = (stage: string, name: string) => `/sst/jonquils/${stage}/Secret/${name}/value`;
const ALL_SET = {
  [secret("prod", "JWT_SECRET")]: "x".repeat(48),
  [secret("prod", "CLICKHOUSE_URL")]: "https://ch.example.com:8443",
  // Set once for every stage (sst secrets set --fallback).
  "/sst/jonquils/.fallback/Secret/CLICKHOUSE_PASSWORD/value": "pw",
};
const run = (clients: DeployCheckClients, env: Record<string, string> = {}) =>
  runChecks({ clients, stage: "prod", region: "eu-central-1", settings: readSettings(env) });
const byName = (checks: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries(checks.map((c) => [c.name, c]));

describe("npm run deploy:check", () => {
  it("passes an account with everything set, naming the account and region", async () => {
    const checks = await run(
      fakeAccount({ parameters: ALL_SET, roles: ["AWSServiceRoleForAmazonOpenSearchService"] }),
    );
    expect(checks.filter((c) => c.status !== "ok")).toEqual([]);
    const text = formatChecks(checks);
    expect(text).toContain("account 123456789012");
    expect(text).toContain("eu-central-1");
    expect(text).toContain("Ready: npx sst deploy");
  });

  it("says exactly what is missing: a secret, a short JWT secret, the concurrency quota", async () => {
    const checks = byName(
      await run(
        fakeAccount({
          parameters: {
            [secret("prod", "JWT_SECRET")]: "short",
            [secret("prod", "CLICKHOUSE_URL")]: "https://ch.example.com:8443",
          },
          quota: 10,
        }),
      ),
    );
    expect(checks["secret CLICKHOUSE_PASSWORD"]).toMatchObject({
      status: "fail",
      fix: "npx sst secrets set CLICKHOUSE_PASSWORD <value> --stage prod",
    });
    expect(checks["secret JWT_SECRET"]!.status).toBe("fail");
    expect(checks["lambda-concurrency"]).toMatchObject({ status: "fail" });
    expect(checks["lambda-concurrency"]!.detail).toMatch(/quota 10/);
    // A new account without the linked role: the stack creates it, so a warning with the command.
    expect(checks["opensearch-linked-role"]).toMatchObject({ status: "warn" });
    expect(checks["opensearch-linked-role"]!.fix).toContain("create-service-linked-role");
  });

  it("warns (does not fail) when ClickHouse is unreachable, and skips the linked role in the dev profile", async () => {
    const checks = byName(
      await run(fakeAccount({ parameters: ALL_SET, clickhouse: "down" }), {
        JONQUILS_PROFILE: "dev",
      }),
    );
    expect(checks["clickhouse"]).toMatchObject({ status: "warn" });
    expect(checks["clickhouse"]!.detail).toContain("ETIMEDOUT");
    expect(checks["opensearch-linked-role"]).toBeUndefined();
    expect(Object.values(checks).some((c) => c.status === "fail")).toBe(false);
  });

  it("stops at missing credentials, saying how to set them", async () => {
    const checks = await run(fakeAccount({ credentials: false }));
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: "credentials", status: "fail" });
    expect(checks[0]!.fix).toMatch(/AWS_PROFILE/);
  });
});
