// @ts-check
/**
 * `npm start`: runs the local server as prebuilt JavaScript, rebuilt only when its sources change.
 *
 * Loading ~400 TypeScript modules through tsx's loader took ~2.5 s of every start (the loader
 * resolves and transforms each module, on the main thread and again in every worker thread);
 * the same code bundled by esbuild loads in a fraction of that. So this plain-Node script:
 *
 *   1. reads the last build's manifest (node_modules/.cache/jonquils/server/manifest.json): the
 *      path, mtime and size of every source file that went into it;
 *   2. if every one is unchanged, imports that build; else bundles again — start.ts and the
 *      worker-thread entries (PGlite, the audio pool), our workspace code inlined, every
 *      package from node_modules left external, source maps on — into a new folder named by
 *      the inputs' fingerprint, renamed into place whole (two starts at once never see half a
 *      build), then imports it.
 *
 * Paths the code finds through `import.meta.url` (migrations, web/, the worker sources) are
 * rewritten to each source file's own URL, so the bundle finds the same files as tsx would. A
 * worker entry is looked up in the map registered under Symbol.for("jonquils.prebuiltWorkers")
 * (packages/core/src/util/prebuilt.ts): bundled workers start with plain Node too.
 *
 * `JONQUILS_NO_PREBUILD=1 npm start` runs the sources through tsx as before. `--prepare` (run by
 * `npm install`) builds and then makes the migrated PGlite template, so the first start is fast.
 */
import { createHash, randomUUID } from "node:crypto";
import {
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { mkdir, readFile, rm, writeFile, rename } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const SELF = fileURLToPath(import.meta.url);

/** Bundle entry name → source. `start` runs here; the others are worker-thread entries. */
const ENTRIES = {
  start: "packages/local/src/start.ts",
  "pglite-thread-worker": "packages/local/src/pglite-thread-worker.ts",
  "worker-task": "packages/pipeline/src/compute/worker-task.ts",
  // `--prepare` (npm install's postinstall): makes the migrated PGlite template.
  prepare: "packages/local/src/cli/prepare.ts",
};

/**
 * What to build: a checkout (`root`), its entries (name → path relative to root) and the folder
 * the builds go to; `inline`: the packages bundled in (default INLINED).
 * @typedef {{ root: string, entries: Record<string, string>, cache: string, inline?: readonly string[] }} Project
 * @typedef {{ id: string, inputs: Record<string, [number, number]> }} Manifest
 *   inputs: path relative to root → [mtimeMs, size]
 */

/** @param {string} root @param {string} file @returns {[number, number] | undefined} */
function stamp(root, file) {
  try {
    const s = statSync(join(root, file));
    return [s.mtimeMs, s.size];
  } catch {
    return undefined;
  }
}

/**
 * Files that change what a build produces without being bundled: compiler settings, and the
 * manifests and lockfile that say which versions of esbuild and of every package are installed.
 * @param {string} root
 */
function settingsFiles(root) {
  const files = ["package.json", "package-lock.json", "tsconfig.json"];
  try {
    for (const dir of readdirSync(join(root, "packages")))
      files.push(`packages/${dir}/package.json`);
  } catch {
    // no workspaces
  }
  return files.filter((file) => existsSync(join(root, file)));
}

/** The last build, if it exists and none of its inputs changed. @param {Project} project */
export function freshBuild({ root, cache }) {
  /** @type {Manifest} */
  let manifest;
  try {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- our own file, written below
    manifest = JSON.parse(readFileSync(join(cache, "manifest.json"), "utf8"));
  } catch {
    return undefined;
  }
  const dir = join(cache, manifest.id);
  if (!existsSync(join(dir, "start.mjs"))) return undefined;
  for (const [file, [mtime, size]] of Object.entries(manifest.inputs)) {
    const now = stamp(root, file);
    if (!now || now[0] !== mtime || now[1] !== size) return undefined;
  }
  return dir;
}

/**
 * A file whose mtime is this close to (or after) a build's start may have been saved while
 * esbuild was reading it: the file system's clock is coarse (a few ms behind the real one).
 */
const SAVED_DURING_BUILD_MS = 20;

/**
 * Bundles the entries into a new build folder; returns it. Safe to run twice at once: each
 * builds into its own folder, and the one renamed into place second uses the first's. A source
 * saved during the build is built again (up to 3 times); if it keeps changing, this build runs
 * but is not recorded, so the next start builds again.
 * @param {Project} project @returns {Promise<string>}
 */
export async function build({ root, entries, cache, inline = INLINED }) {
  const started = performance.now();
  const esbuild = await import("esbuild");
  const tmp = join(cache, `.tmp-${process.pid}-${randomUUID()}`);
  try {
    /** @type {Record<string, [number, number]>} */
    let inputs = {};
    let settled = false;
    for (let attempt = 1; attempt <= 3 && !settled; attempt++) {
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      const buildStart = Date.now();
      const result = await esbuild.build({
        absWorkingDir: root,
        entryPoints: Object.fromEntries(
          Object.entries(entries).map(([name, file]) => [name, join(root, file)]),
        ),
        outdir: tmp,
        outExtension: { ".js": ".mjs" },
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        sourcemap: "linked",
        metafile: true,
        logLevel: "error",
        // Keep the names stack traces and logs show.
        keepNames: true,
        // An inlined CommonJS module's require() of a Node built-in needs a real require.
        banner: {
          js: 'import { createRequire as __jonquilsRequire } from "node:module"; const require = __jonquilsRequire(import.meta.url);',
        },
        plugins: [externalPackages(root, inline), ownUrls],
      });
      const own = relative(root, SELF);
      inputs = Object.fromEntries(
        [
          ...Object.keys(result.metafile.inputs),
          ...settingsFiles(root),
          ...(own.startsWith("..") ? [] : [own]),
        ]
          .sort()
          .map((file) => [file, stamp(root, file) ?? [0, 0]]),
      );
      settled = Object.values(inputs).every(
        ([mtime]) => mtime < buildStart - SAVED_DURING_BUILD_MS,
      );
    }
    const id = createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
    const dir = join(cache, id);
    try {
      await rename(tmp, dir);
    } catch (err) {
      // Another start built the same inputs a moment ago: use theirs.
      await rm(tmp, { recursive: true, force: true });
      if (!existsSync(join(dir, "start.mjs"))) throw err;
    }
    if (settled) {
      /** @type {Manifest} */
      const manifest = { id, inputs };
      const next = join(cache, `manifest.json.${process.pid}.${randomUUID()}`);
      await writeFile(next, JSON.stringify(manifest));
      await rename(next, join(cache, "manifest.json"));
    }
    removeOldBuilds(cache, id);
    process.stderr.write(
      `built the server (${Object.keys(inputs).length} sources) in ${Math.round(performance.now() - started)} ms${settled ? "" : " (sources changed while building: built again on the next start)"}\n`,
    );
    return dir;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A fresh build of `project` (built now if a source changed), with its worker entries registered
 * for prebuiltWorker(); returns the URL of the start entry to import.
 * @param {Project} project
 */
export async function prepare(project) {
  const dir = freshBuild(project) ?? (await build(project));
  // Last used now: old builds are removed by when they were last started, not built.
  const now = new Date();
  utimesSync(dir, now, now);
  /** @type {Record<string, string>} */
  const workers = {};
  for (const [name, file] of Object.entries(project.entries))
    if (name !== "start") workers[join(project.root, file)] = join(dir, `${name}.mjs`);
  Object.defineProperty(globalThis, Symbol.for("jonquils.prebuiltWorkers"), {
    value: workers,
    configurable: true,
  });
  return pathToFileURL(join(dir, "start.mjs")).href;
}

/**
 * Removes builds last started over a day ago, other than `keep`, unless a live process still
 * runs one (its `.in-use-<pid>` marker, see markInUse): its worker threads load from it.
 * @param {string} cache @param {string} keep
 */
function removeOldBuilds(cache, keep) {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of readdirSync(cache)) {
    if (name === keep || name.startsWith("manifest.json")) continue;
    const path = join(cache, name);
    try {
      if (statSync(path).mtimeMs >= dayAgo) continue;
      const users = readdirSync(path)
        .filter((f) => f.startsWith(".in-use-"))
        .map((f) => Number(f.slice(".in-use-".length)));
      if (users.some(alive)) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === "EPERM";
  }
}

/** Marks the build `dir` as run by this process until it exits. @param {string} dir */
export function markInUse(dir) {
  const marker = join(dir, `.in-use-${process.pid}`);
  writeFileSync(marker, "");
  process.on("exit", () => rmSync(marker, { force: true }));
}

/**
 * Pure-JavaScript packages start-up loads as hundreds of small files (drizzle-orm alone 111, zod
 * 95, jose 46, hono 43, music-metadata and its readers ~75): inlined, they are read and compiled
 * as one. Everything else stays external and loads from node_modules as it would under tsx —
 * native modules and WASM (PGlite, chDB, sharp), packages that find files next to themselves
 * (piscina, pino's transports, bcryptjs by path) and those loaded only on demand (AWS SDK…).
 */
const INLINED = [
  "drizzle-orm",
  "zod",
  "jose",
  "hono",
  "@hono/zod-openapi",
  "@asteasolutions/zod-to-openapi",
  "music-metadata",
  "strtok3",
  "file-type",
  "token-types",
  "@tokenizer/inflate",
  "uint8array-extras",
  "ieee754",
];

/** Dependencies that mark a package as a native addon (it finds its binary next to itself). */
const NATIVE_LOADERS = ["node-gyp-build", "node-addon-api", "bindings", "prebuild-install", "nan"];

/** The package a bare import names (`@scope/name` or `name`). @param {string} path */
const packageOf = (path) =>
  path
    .split("/")
    .slice(0, path.startsWith("@") ? 2 : 1)
    .join("/");

/**
 * Packages outside this repo's workspaces stay external, except the `inline` ones — and every
 * package that depends, directly or through its dependencies, on one of those: left external,
 * it would load its own copy of the inlined package from node_modules, and a class from one
 * copy is not an instance of the other's (hono's HTTPException thrown by @hono/zod-validator
 * would no longer be recognised, and malformed JSON would answer 500 instead of 400).
 * @param {string} root @param {readonly string[]} inline @returns {import("esbuild").Plugin}
 */
function externalPackages(root, inline) {
  /** @type {Map<string, boolean>} */
  const memo = new Map();
  /** @param {string} name @returns {boolean} */
  const needsInlining = (name) => {
    if (inline.includes(name)) return true;
    const known = memo.get(name);
    if (known !== undefined) return known;
    memo.set(name, false); // a dependency cycle does not recurse for ever
    let result = false;
    try {
      /**
       * @type {{
       *   dependencies?: Record<string, string>,
       *   peerDependencies?: Record<string, string>,
       *   peerDependenciesMeta?: Record<string, { optional?: boolean }>,
       *   gypfile?: boolean,
       * }}
       */
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- a package manifest
      const manifest = JSON.parse(
        readFileSync(join(root, "node_modules", name, "package.json"), "utf8"),
      );
      const dependencies = Object.keys(manifest.dependencies ?? {});
      // Optional peers are integrations the package loads only if present (chDB's zod).
      const peers = Object.keys(manifest.peerDependencies ?? {}).filter(
        (peer) => !manifest.peerDependenciesMeta?.[peer]?.optional,
      );
      // A native addon loads its binary next to itself: never bundled.
      const native =
        manifest.gypfile === true ||
        existsSync(join(root, "node_modules", name, "binding.gyp")) ||
        dependencies.some((d) => NATIVE_LOADERS.includes(d));
      result = !native && [...dependencies, ...peers].some(needsInlining);
    } catch {
      // not installed at the top level (or a Node built-in): external
    }
    memo.set(name, result);
    return result;
  };
  return {
    name: "external-packages",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const name = packageOf(args.path);
        if (name.startsWith("@jonquils/") || needsInlining(name)) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

/** @type {import("esbuild").Plugin} `import.meta.url` / `dirname` / `filename` mean the source file. */
const ownUrls = {
  name: "own-urls",
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
      if (args.path.includes("/node_modules/")) return undefined;
      const source = await readFile(args.path, "utf8");
      if (!source.includes("import.meta.")) return undefined;
      const contents = source
        .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)))
        .replaceAll("import.meta.filename", JSON.stringify(args.path));
      const ext = /** @type {"ts" | "tsx" | "js"} */ (
        args.path.split(".").pop()?.replace(/^[cm]/, "")
      );
      return { contents, loader: ext === "tsx" ? "tsx" : ext === "ts" ? "ts" : "js" };
    });
  },
};

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === SELF;
const PROJECT = {
  root: ROOT,
  entries: ENTRIES,
  cache: join(ROOT, "node_modules", ".cache", "jonquils", "server"),
};
if (isMain && process.argv[2] === "--prepare") {
  // Best effort: a failure (or a hang) here must not fail `npm install`; the first start does
  // the same work.
  const giveUp = setTimeout(() => {
    process.stderr.write("preparing took over 3 minutes: left to the first npm start\n");
    process.exit(0);
  }, 180_000);
  giveUp.unref();
  /** @type {string} */
  let step = "build the server";
  try {
    const start = await prepare(PROJECT);
    step = "make the database template";
    await import(new URL("./prepare.mjs", start).href);
  } catch (err) {
    process.stderr.write(
      `could not ${step} now; the first npm start will (${err instanceof Error ? err.message : String(err)})\n`,
    );
  }
} else if (isMain && process.env["JONQUILS_NO_PREBUILD"] === "1") {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(ROOT, ENTRIES.start)).href);
} else if (isMain) {
  /** @type {string} */
  let entry;
  try {
    entry = await prepare(PROJECT);
  } catch (err) {
    process.stderr.write(
      `could not build the server: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  }
  markInUse(fileURLToPath(new URL(".", entry)));
  process.setSourceMapsEnabled(true);
  await import(entry);
}
