import { describe, expect, it } from "vitest";
import { ConfigError } from "./config";
import { containersEnv, lambdaEnv, localEnv, processEnv } from "./config-wirings";

const S3 = {
  S3_BUCKET_TRACKS: "jq-tracks",
  S3_BUCKET_COVERS: "jq-covers",
  S3_BUCKET_PLAYLISTS: "jq-playlists",
  S3_BUCKET_TEMP: "jq-temp",
};
const DB = "postgres://u:p@db.internal:5432/jq";
const SECRET = "x".repeat(40);

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe("configuration per wiring", () => {
  it("starts locally with nothing set (everything embedded)", () => {
    const config = localEnv.parse({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(8000);
  });

  it("refuses a Lambda cold start naming every variable that function needs, and only those", () => {
    expect(problems(() => lambdaEnv.api.parse({}))).toEqual([
      "DATABASE_URL: required in the api Lambda wiring",
      "JWT_SECRET: required in the api Lambda wiring",
      "S3_BUCKET_TRACKS: required in the api Lambda wiring",
      "S3_BUCKET_COVERS: required in the api Lambda wiring",
      "S3_BUCKET_PLAYLISTS: required in the api Lambda wiring",
      "S3_BUCKET_TEMP: required in the api Lambda wiring",
    ]);
    expect(problems(() => lambdaEnv.migrate.parse({}))).toEqual([
      "DATABASE_URL: required in the migrate Lambda wiring",
    ]);
    expect(problems(() => lambdaEnv["analytics-consumer"].parse({}))).toEqual([
      "CLICKHOUSE_URL: required in the analytics-consumer Lambda wiring",
    ]);
    expect(
      problems(() =>
        lambdaEnv["analytics-refresh"].parse({ DATABASE_URL: DB, JWT_SECRET: SECRET, ...S3 }),
      ),
    ).toEqual(["CLICKHOUSE_URL: required in the analytics-refresh Lambda wiring"]);
  });

  it("types the required values as present once parsed", () => {
    const config = lambdaEnv.api.parse({ DATABASE_URL: DB, JWT_SECRET: SECRET, ...S3 });
    const url: string = config.DATABASE_URL; // compiles only because the schema requires it
    expect(url).toBe(DB);
    expect(config.S3_BUCKET_TEMP).toBe("jq-temp");
  });

  it("reports a bad value and a missing one together", () => {
    expect(problems(() => lambdaEnv.migrate.parse({ PORT: "70000" }))).toEqual([
      "DATABASE_URL: required in the migrate Lambda wiring",
      expect.stringMatching(/^PORT: /),
    ]);
  });

  it("treats empty strings as unset", () => {
    expect(problems(() => lambdaEnv.migrate.parse({ DATABASE_URL: "" }))).toHaveLength(1);
  });

  it("the containers wiring requires every server, and is chosen by JONQUILS_WIRING", () => {
    expect(processEnv({ JONQUILS_WIRING: "containers" })).toBe(containersEnv);
    expect(processEnv({})).toBe(localEnv);
    const missing = problems(() => containersEnv.parse({ JONQUILS_WIRING: "containers" }));
    expect(missing.map((m) => m.split(":")[0])).toEqual([
      "DATABASE_URL",
      "REDIS_URL",
      "CLICKHOUSE_URL",
      "OPENSEARCH_URL",
      "S3_ENDPOINT",
      ...Object.keys(S3),
      "ANALYTICS_QUEUE_URL",
    ]);
  });
});
