import { afterEach, describe, expect, it, vi } from "vitest";

/**
 * functions/secrets.ts runs at import: each case sets the environment a bound Lambda would
 * have (SST puts a secret's value, or a placeholder SST fetches from SSM, in
 * SST_Secret_value_<NAME>), imports it fresh and reads process.env. (sst/node parses the
 * environment once per process, so "nothing bound" is covered by the suites that import the
 * Lambda entries without any SST variable: functions/api.test.ts, pipeline/pipeline.test.ts.)
 */
async function importWith(env: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  await import("./secrets");
}

const BOUND = {
  SST_APP: "jonquils",
  SST_STAGE: "test",
  DATABASE_HOST: "db.internal",
  DATABASE_PORT: "5432",
  DATABASE_NAME: "jonquils",
  DATABASE_USER: "jonquils",
  SST_Secret_value_DB_PASSWORD: "p@ss/w:rd ?#",
  SST_Secret_value_JWT_SECRET: "j".repeat(40),
  SST_Secret_value_CLICKHOUSE_URL: "https://ch.example.com:8443",
  SST_Secret_value_CLICKHOUSE_PASSWORD: "ch-secret",
};

describe("bound secrets at cold start (functions/secrets.ts)", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("sets JWT_SECRET, the ClickHouse pair and a DATABASE_URL with the password encoded", async () => {
    for (const name of ["DATABASE_URL", "JWT_SECRET", "CLICKHOUSE_URL", "CLICKHOUSE_PASSWORD"])
      vi.stubEnv(name, undefined);
    await importWith(BOUND);
    expect(process.env["JWT_SECRET"]).toBe("j".repeat(40));
    expect(process.env["CLICKHOUSE_URL"]).toBe("https://ch.example.com:8443");
    expect(process.env["CLICKHOUSE_PASSWORD"]).toBe("ch-secret");
    const url = new URL(process.env["DATABASE_URL"]!);
    expect(decodeURIComponent(url.password)).toBe("p@ss/w:rd ?#");
    expect(url.host).toBe("db.internal:5432");
    expect(url.pathname).toBe("/jonquils");
    expect(url.searchParams.get("sslmode")).toBe("require");
  });

  it("never overrides a variable that is already set", async () => {
    await importWith({
      ...BOUND,
      DATABASE_URL: "postgres://me@localhost/mine",
      JWT_SECRET: "k".repeat(40),
    });
    expect(process.env["DATABASE_URL"]).toBe("postgres://me@localhost/mine");
    expect(process.env["JWT_SECRET"]).toBe("k".repeat(40));
  });
});
