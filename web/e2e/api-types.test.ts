/**
 * The SPA's API types (web/src/api/schema.gen.ts) are generated from the API's /openapi.json:
 * this fails as soon as a route or schema changes without `npm run api:types` being run (the
 * same check `npm run typecheck` starts with).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "./harness";

describe("generated API types", () => {
  it("the generated types are what the API serves now (npm run typecheck runs the same check)", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      ["node_modules/tsx/dist/cli.mjs", "scripts/web-api-types.ts", "--check"],
      { cwd: ROOT },
    );
    expect(stdout).toContain("matches");
  }, 60_000);
});
