import { defineConfig } from "vitest/config";

/**
 * The fault-injection suite (`npm run test:faults`): outages cut through a TCP proxy on loopback,
 * kill -9 of a server mid-burst. Slow and timing-sensitive, so not part of `npm test`; needs the
 * PostgreSQL and Redis of scripts/services.sh (DATABASE_URL, REDIS_URL) for the cut cases.
 */
export default defineConfig({
  test: {
    include: ["packages/local/faults/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    globalSetup: ["packages/local/src/testing/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { NODE_ENV: "test" },
    reporters: ["default", "./.ci/summary-reporter.ts"],
  },
});
