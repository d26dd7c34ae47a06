import { afterEach, describe, expect, it, vi } from "vitest";
import { migrateAnalytics } from "./migrate-analytics";

describe("the ClickHouse migration at deploy (functions/migrate-analytics.ts)", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("reports a ClickHouse it cannot reach instead of failing (and rolling back) the deploy", async () => {
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
    const close = vi.fn(async () => {});
    const result = await migrateAnalytics(() => ({
      migrate: async () => {
        throw new Error("connect ETIMEDOUT 203.0.113.7:8443 (IP not in the allow-list)");
      },
      close,
    }));
    expect(result).toEqual({ applied: false, reason: expect.stringContaining("ETIMEDOUT") });
    expect(close).toHaveBeenCalled();
  });

  it("creates the tables when ClickHouse answers, and is a no-op without CLICKHOUSE_URL", async () => {
    const migrate = vi.fn(async () => {});
    expect(await migrateAnalytics(() => ({ migrate, close: async () => {} }))).toEqual({
      applied: true,
    });
    expect(migrate).toHaveBeenCalledOnce();
    expect(await migrateAnalytics(() => undefined)).toMatchObject({ applied: false });
  });
});
