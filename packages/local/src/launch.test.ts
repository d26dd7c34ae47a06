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
  inline?: readonly string[];
}
/** Files written this instant count as "maybe saved during the build": let the clock move on. */
const settle = () => new Promise((r) => setTimeout(r, 50));

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
  beforeEach(async () => {
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
    await settle();
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
    await settle();
    expect(launcher.freshBuild(project)).toBeUndefined();
    const second = await launcher.prepare(project);
    expect(second).not.toBe(first);
    expect(run(second)).toBe("edited / next to the source");

    // A save that changes only the time (same size, e.g. an editor rewriting the file) is a change too.
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, "src/message.ts"), later, later);
    expect(launcher.freshBuild(project)).toBeUndefined();
  });

  it("never records as up to date a build older than a source saved while it ran", async () => {
    // The reviewer's race: a save while esbuild runs left the old code recorded as fresh.
    for (const delay of [5, 20, 40]) {
      const building = launcher.build(project);
      await new Promise((r) => setTimeout(r, delay));
      const content = `export const message: string = "saved at ${delay} ms";\n`;
      writeFileSync(join(root, "src/message.ts"), content);
      await building;
      const fresh = launcher.freshBuild(project);
      if (fresh)
        expect(readFileSync(join(fresh, "start.mjs"), "utf8")).toContain(`saved at ${delay} ms`);
      await settle();
      // Whatever happened, the next start runs the saved code.
      expect(run(await launcher.prepare(project))).toBe(
        `saved at ${delay} ms / next to the source`,
      );
    }
  });

  it("a change of installed versions (the lockfile) or compiler settings rebuilds", async () => {
    writeFileSync(join(root, "package-lock.json"), "{}\n");
    await settle();
    await launcher.prepare(project);
    expect(launcher.freshBuild(project)).toBeDefined();
    writeFileSync(join(root, "package-lock.json"), '{"lockfileVersion": 3}\n');
    expect(launcher.freshBuild(project)).toBeUndefined();
  });

  it("inlines every package that depends on an inlined one, so both share its classes", async () => {
    // "base" is inlined; "user" (installed, depends on base) would otherwise load its own copy.
    const pkg = (name: string, deps: Record<string, string>, code: string) => {
      mkdirSync(join(root, "node_modules", name), { recursive: true });
      writeFileSync(
        join(root, "node_modules", name, "package.json"),
        JSON.stringify({ name, type: "module", main: "index.js", dependencies: deps }),
      );
      writeFileSync(join(root, "node_modules", name, "index.js"), code);
    };
    pkg("base", {}, "export class Failure extends Error {}\n");
    pkg(
      "user",
      { base: "1" },
      'import { Failure } from "base";\nexport const fail = () => new Failure();\n',
    );
    writeFileSync(
      join(root, "src/start.ts"),
      'import { Failure } from "base";\nimport { fail } from "user";\nconsole.log(fail() instanceof Failure);\n',
    );
    // A native addon depending on it stays external (its binary lives next to it), and so does a
    // package whose only tie is an optional peer.
    pkg("addon", { base: "1" }, 'export const addon = "addon-code";\n');
    writeFileSync(join(root, "node_modules/addon/binding.gyp"), "{}\n");
    pkg("plugin", {}, 'export const plugin = "plugin-code";\n');
    const pluginManifest = join(root, "node_modules/plugin/package.json");
    writeFileSync(
      pluginManifest,
      JSON.stringify({
        ...(JSON.parse(readFileSync(pluginManifest, "utf8")) as object),
        peerDependencies: { base: "1" },
        peerDependenciesMeta: { base: { optional: true } },
      }),
    );
    writeFileSync(
      join(root, "src/start.ts"),
      'import { Failure } from "base";\nimport { fail } from "user";\nimport { addon } from "addon";\nimport { plugin } from "plugin";\nconsole.log(fail() instanceof Failure, addon, plugin);\n',
    );
    await settle();
    const entry = await launcher.prepare({ ...project, inline: ["base"] });
    expect(run(entry)).toBe("true addon-code plugin-code");
    const bundled = readFileSync(fileURLToPath(entry), "utf8");
    expect(bundled).toContain("new Failure"); // user, inlined
    expect(bundled).not.toContain('"addon-code"');
    expect(bundled).not.toContain('"plugin-code"');
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
