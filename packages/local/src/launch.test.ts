import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain-Node script (launch.mjs), typed by its JSDoc only
import { build, freshBuild, prepare } from "../launch.mjs";
import { prebuiltWorker } from "@jonquils/core/util/prebuilt";

interface Project {
  root: string;
  entries: Record<string, string>;
  cache: string;
}
const launcher = {
  build: build as (p: Project) => Promise<string>,
  freshBuild: freshBuild as (p: Project) => string | undefined,
  prepare: prepare as (p: Project) => Promise<string>,
};

/** Runs a built entry with plain Node (no TypeScript loader) and returns what it printed. */
function run(entryUrl: string): string {
  const out = spawnSync(process.execPath, [fileURLToPath(entryUrl)], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(out.stderr);
  return out.stdout.trim();
}

describe("npm start's prebuilt server (launch.mjs)", () => {
  let root: string;
  let project: Project;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "jonquils-launch-"));
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src/message.ts"), 'export const message: string = "first";\n');
    writeFileSync(join(root, "src/data.txt"), "next to the source\n");
    writeFileSync(
      join(root, "src/start.ts"),
      [
        'import { readFileSync } from "node:fs";',
        'import { message } from "./message";',
        'const beside = readFileSync(new URL("./data.txt", import.meta.url), "utf8").trim();',
        "console.log(`${message} / ${beside}`);",
      ].join("\n"),
    );
    writeFileSync(join(root, "src/worker.ts"), "export const worker = 1;\n");
    project = {
      root,
      entries: { start: "src/start.ts", worker: "src/worker.ts" },
      cache: join(root, "cache"),
    };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("runs the TypeScript sources as plain JavaScript, finding files beside each source", async () => {
    expect(run(await launcher.prepare(project))).toBe("first / next to the source");
  });

  it("reuses the build while no source changed, and rebuilds when one did", async () => {
    const first = await launcher.prepare(project);
    expect(launcher.freshBuild(project)).toBeDefined();
    expect(await launcher.prepare(project)).toBe(first);

    writeFileSync(join(root, "src/message.ts"), 'export const message: string = "edited";\n');
    expect(launcher.freshBuild(project)).toBeUndefined();
    const second = await launcher.prepare(project);
    expect(second).not.toBe(first);
    expect(run(second)).toBe("edited / next to the source");

    // A save that changes only the time (same size, e.g. an editor rewriting the file) is a change too.
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, "src/message.ts"), later, later);
    expect(launcher.freshBuild(project)).toBeUndefined();
  });

  it("two starts building at once both get a whole build", async () => {
    const [a, b] = await Promise.all([launcher.build(project), launcher.build(project)]);
    expect(a).toBe(b);
    expect(readFileSync(join(a, "start.mjs"), "utf8")).toContain("first");
    expect(launcher.freshBuild(project)).toBe(a);
  });

  it("registers the built worker entries for the worker threads to load", async () => {
    await launcher.prepare(project);
    const built = prebuiltWorker(new URL(`file://${join(root, "src/worker.ts")}`));
    expect(built).toMatch(/worker\.mjs$/);
    expect(readFileSync(built!, "utf8")).toContain("worker");
  });

  it("a source that does not compile fails the start with esbuild's reason", async () => {
    writeFileSync(join(root, "src/message.ts"), "export const message: string = ;\n");
    await expect(launcher.prepare(project)).rejects.toThrow(/message\.ts.*Unexpected/s);
  });
});
