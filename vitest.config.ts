import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "functions/**/*.test.ts",
      "stacks/**/*.test.ts",
      // The web app: component tests (jsdom, per file) and the browser suite (skipped without Chromium).
      "web/src/**/*.test.{ts,tsx}",
      "web/e2e/**/*.test.ts",
    ],
    // PGlite and (later) chDB hold one engine per process: forks keep files isolated.
    pool: "forks",
    globalSetup: ["packages/local/src/testing/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: "test" },
    reporters: ["default", "./.ci/summary-reporter.ts"],
  },
});
