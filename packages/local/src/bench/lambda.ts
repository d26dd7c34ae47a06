/**
 * `npm run bench:lambda`: every Lambda entry bundled as the stacks bundle it (esbuild, ESM,
 * minified, node22, @aws-sdk/* left to the runtime, SST's createRequire banner), then:
 *   - bundle size per function (target for the API: ≤ 1.5 MB);
 *   - no embedded engine (PGlite, chDB) in any bundle's metafile;
 *   - cold start of the API bundle next to a bare handler bundled the same way, in the same
 *     run: a fresh `node` process per sample (spawn → import → exit, target ≤ 2×), and the
 *     import alone as the process measures it; median of N.
 *
 *   npm run bench:lambda [-- --runs 9] [-- --json]
 */
import type { Metafile } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { bundleFunction, sstEsbuild as esbuild } from "../../../../scripts/bundle-function";
import { NODEJS_BUNDLING, TRANSFORM_EXTERNAL } from "../../../../stacks/lambda";

const root = resolve(import.meta.dirname, "../../../..");
const out = join(root, ".sst", "bench-lambda");

const ENTRIES: Record<string, { entry: string; external?: readonly string[] }> = {
  api: { entry: "functions/api.ts" },
  "analytics-consumer": { entry: "functions/analytics-consumer.ts" },
  "analytics-refresh": { entry: "functions/analytics-refresh.ts" },
  monitoring: { entry: "functions/monitoring.ts" },
  "pipeline-extract": { entry: "functions/pipeline/extract.ts" },
  "pipeline-transform": {
    entry: "functions/pipeline/transform.ts",
    external: TRANSFORM_EXTERNAL,
  },
  "pipeline-load": { entry: "functions/pipeline/load.ts" },
  "pipeline-index": { entry: "functions/pipeline/index.ts" },
  "pipeline-aggregate": { entry: "functions/pipeline/aggregate.ts" },
  "pipeline-mark-failed": { entry: "functions/pipeline/mark-failed.ts" },
};
const API_LIMIT_BYTES = 1.5 * 1024 * 1024;
const EMBEDDED = [/node_modules\/@electric-sql\/pglite\//, /node_modules\/chdb\//];

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  embedded: string[];
  metafile: Metafile;
}

async function bundle(name: string, entry: string, external: readonly string[]): Promise<Bundle> {
  const file = join(out, name, "index.mjs");
  const metafile = await bundleFunction(entry, file, external);
  const bytes = statSync(file).size;
  const embedded = Object.keys(metafile.inputs).filter((input) =>
    EMBEDDED.some((re) => re.test(input)),
  );
  return {
    name,
    file,
    bytes,
    gzipBytes: gzipSync(readFileSync(file)).byteLength,
    embedded,
    metafile,
  };
}

/** The biggest packages in a bundle (bytes of output each input contributed). */
function topPackages(metafile: Metafile, count: number) {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match
        ? match[1]!
        : input.startsWith("packages/")
          ? input.split("/").slice(0, 2).join("/")
          : input;
      sizes.set(key, (sizes.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
}

/** Environment a Lambda of this app starts with (no server is contacted at import). */
const LAMBDA_ENV = {
  PATH: process.env["PATH"] ?? "",
  NODE_ENV: "production",
  LOG_LEVEL: "silent",
  POWERTOOLS_LOG_LEVEL: "SILENT",
  POWERTOOLS_METRICS_DISABLED: "true",
  AWS_REGION: "eu-central-1",
  DATABASE_URL: "postgres://bench:bench@127.0.0.1:1/bench",
  JWT_SECRET: "bench-secret-bench-secret-bench-secret!",
  CLICKHOUSE_URL: "http://127.0.0.1:1",
  S3_BUCKET_TRACKS: "bench-tracks",
  S3_BUCKET_COVERS: "bench-covers",
  S3_BUCKET_PLAYLISTS: "bench-playlists",
  S3_BUCKET_TEMP: "bench-temp",
};

/** One fresh process: spawn → import the bundle → exit. Returns [total ms, import ms]. */
function coldStart(file: string): [number, number] {
  const script = `const t=performance.now();await import(${JSON.stringify(`file://${file}`)});process.stdout.write(String(performance.now()-t));process.exit(0)`;
  const started = performance.now();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: LAMBDA_ENV,
    encoding: "utf8",
  });
  const total = performance.now() - started;
  if (child.status !== 0) {
    // Minified bundles print whole source lines with the error: keep the message lines only.
    const lines = child.stderr.split("\n").filter((l) => /^\w*Error\b|^\s+at /.test(l));
    throw new Error(`${file} failed to import:\n${lines.slice(0, 6).join("\n")}`);
  }
  return [total, Number(child.stdout)];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

async function main() {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "9" }, json: { type: "boolean", default: false } },
  });
  const runs = Number(values.runs);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, "bare"), { recursive: true });
  const bareEntry = join(out, "bare", "handler.ts");
  writeFileSync(
    bareEntry,
    `export const handler = async () => ({ statusCode: 200, body: "ok" });\n`,
  );

  const external = NODEJS_BUNDLING.esbuild.external;
  const bundles: Bundle[] = [];
  for (const [name, spec] of Object.entries(ENTRIES))
    bundles.push(await bundle(name, spec.entry, spec.external ?? external));
  const bare = await bundle("bare", bareEntry, external);

  // Every bundle must load (catches a missing external or a file read relative to a package).
  const cold: Record<string, { total: number; importMs: number }> = {};
  const summarise = (samples: [number, number][]) => ({
    total: median(samples.map((s) => s[0])),
    importMs: median(samples.map((s) => s[1])),
  });
  // The API and the bare handler alternate, so both see the same machine load.
  const api = bundles.find((b) => b.name === "api")!;
  const pairs = Array.from({ length: runs }, () => [coldStart(bare.file), coldStart(api.file)]);
  cold["bare"] = summarise(pairs.map((p) => p[0]!));
  cold["api"] = summarise(pairs.map((p) => p[1]!));
  // Every other bundle once: it must load (a missing external or a file read relative to a
  // package would fail here), and its time is indicative.
  for (const b of bundles) if (b !== api) cold[b.name] = summarise([coldStart(b.file)]);

  const ratio = cold["api"].total / cold["bare"].total;
  const withEngines = bundles.filter((b) => b.embedded.length > 0);
  const report = {
    node: process.version,
    runs,
    bundles: bundles.map((b) => ({
      name: b.name,
      bytes: b.bytes,
      gzipBytes: b.gzipBytes,
      embeddedEngines: b.embedded.length,
      coldStartMs: Math.round(cold[b.name]!.total),
      importMs: Math.round(cold[b.name]!.importMs),
    })),
    bare: {
      bytes: bare.bytes,
      coldStartMs: Math.round(cold["bare"].total),
      importMs: Math.round(cold["bare"].importMs),
    },
    api: {
      bytes: api.bytes,
      underLimit: api.bytes <= API_LIMIT_BYTES,
      coldStartRatio: Number(ratio.toFixed(2)),
      biggest: topPackages(api.metafile, 8).map(([name, bytes]) => ({ name, bytes })),
    },
    embeddedEnginesAbsent: withEngines.length === 0,
  };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(
      `bench:lambda — ${process.version}, esbuild ${esbuild.version} (SST's), cold start = median of ${runs} fresh processes (spawn → import → exit)\n`,
    );
    console.log("| function | bundle | gzip | embedded engines | cold start | import |");
    console.log("| --- | ---: | ---: | --- | ---: | ---: |");
    for (const b of report.bundles)
      console.log(
        `| ${b.name} | ${kb(b.bytes)} | ${kb(b.gzipBytes)} | ${b.embeddedEngines ? "PRESENT" : "none"} | ${b.coldStartMs} ms | ${b.importMs} ms |`,
      );
    console.log(
      `| bare handler | ${kb(bare.bytes)} | ${kb(bare.gzipBytes)} | none | ${report.bare.coldStartMs} ms | ${report.bare.importMs} ms |`,
    );
    console.log(
      // "met" / "NOT met": the words `npm run bench:all` gathers into its table of targets.
      `\nAPI bundle ${kb(api.bytes)} (limit ${kb(API_LIMIT_BYTES)}): ${report.api.underLimit ? "met" : "NOT met"}; ` +
        `cold start ${report.api.coldStartRatio}× the bare handler (target ≤ 2×): ${ratio <= 2 ? "met" : "NOT met"}`,
    );
    console.log(
      `embedded engines (PGlite, chDB) in Lambda bundles: ${withEngines.length === 0 ? "none" : withEngines.map((b) => b.name).join(", ")}`,
    );
    console.log(`\nbiggest inputs of the API bundle:`);
    for (const { name, bytes } of report.api.biggest)
      console.log(`  ${kb(bytes).padStart(8)}  ${name}`);
  }
  if (!report.api.underLimit || withEngines.length > 0) process.exitCode = 1;
}

await main();
