/**
 * `npm run bench:lambda`: every Lambda entry bundled as the stacks bundle it (esbuild, ESM,
 * minified, node22, code splitting, @aws-sdk/* left to the runtime, SST's createRequire
 * banner), then:
 *   - bundle size per function: the entry and every chunk it may load (target for the API:
 *     ≤ 1.5 MB), and how much of it the cold start loads (the entry and its static imports);
 *   - no embedded engine (PGlite, chDB) in any bundle's metafile;
 *   - cold start of the API bundle next to a bare handler bundled the same way, in the same
 *     run: a fresh `node` process per sample (spawn → import → exit, target ≤ 2×), and the
 *     import alone as the process measures it; median of N;
 *   - the first request of a cold process: spawn → import → the handler called once with an
 *     API Gateway v2 event for GET /api/v1/tracks/{id} → exit, next to the bare handler's.
 *     Nothing answers on the database port, so the request runs up to its first query and
 *     ends 503 (database unavailable); the invocation's analytics flush goes through the SQS
 *     client, as in AWS, to a stand-in SendMessageBatch endpoint this process serves.
 *
 *   npm run bench:lambda [-- --runs 9] [-- --json]
 */
import type { Metafile } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
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
  /** Code the function ships: the entry and every chunk (source maps not counted). */
  bytes: number;
  gzipBytes: number;
  /** Code files (entry + chunks). */
  files: number;
  /** What a cold start loads: the entry and the chunks it imports statically. */
  startupBytes: number;
  /** Source maps left in the asset (SST takes out the entry's only). */
  mapBytes: number;
  embedded: string[];
  metafile: Metafile;
}

/** The entry's output and, transitively, the chunks it imports statically (its cold start). */
function startupOutputs(metafile: Metafile, entryOutput: string): string[] {
  const seen = new Set<string>();
  const visit = (output: string) => {
    if (seen.has(output)) return;
    seen.add(output);
    for (const i of metafile.outputs[output]?.imports ?? [])
      if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  visit(entryOutput);
  return [...seen];
}

async function bundle(name: string, entry: string, external: readonly string[]): Promise<Bundle> {
  const file = join(out, name, "index.mjs");
  const metafile = await bundleFunction(entry, file, external);
  const dir = dirname(file);
  const shipped = readdirSync(dir).map((f) => join(dir, f));
  const code = shipped.filter((f) => f.endsWith(".mjs"));
  const entryOutput = Object.keys(metafile.outputs).find((o) => resolve(o) === file);
  if (!entryOutput) throw new Error(`${name}: ${file} is not among the build's outputs`);
  const size = (files: string[]) => files.reduce((sum, f) => sum + statSync(f).size, 0);
  const embedded = Object.keys(metafile.inputs).filter((input) =>
    EMBEDDED.some((re) => re.test(input)),
  );
  return {
    name,
    file,
    bytes: size(code),
    gzipBytes: code.reduce((sum, f) => sum + gzipSync(readFileSync(f)).byteLength, 0),
    files: code.length,
    startupBytes: size(startupOutputs(metafile, entryOutput).map((o) => resolve(o))),
    mapBytes: size(shipped.filter((f) => f.endsWith(".map"))),
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

/**
 * The child's CPU time (user + system, all its threads) since it started: steadier than wall
 * time when other jobs share the machine.
 */
const CPU = `(()=>{const u=process.cpuUsage();return (u.user+u.system)/1000})()`;

/** One fresh process: spawn → import the bundle → exit. Returns [total ms, import ms, CPU ms]. */
function coldStart(file: string): [number, number, number] {
  const script = `const t=performance.now();await import(${JSON.stringify(`file://${file}`)});process.stdout.write([performance.now()-t,${CPU}].join(" "));process.exit(0)`;
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
  const [importMs, cpuMs] = child.stdout.split(" ").map(Number) as [number, number];
  return [total, importMs, cpuMs];
}

/** An API Gateway HTTP API (payload v2) event for GET /api/v1/tracks/{id}, and a Lambda context. */
const TRACK_ID = "5f0c7f6e-8a4b-4b43-9a0e-0d7a9d1b2c3d";
const FIRST_REQUEST = {
  event: {
    version: "2.0",
    routeKey: "$default",
    rawPath: `/api/v1/tracks/${TRACK_ID}`,
    rawQueryString: "",
    headers: {
      host: "api.example.com",
      accept: "application/json",
      "user-agent": "bench-lambda",
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-proto": "https",
    },
    requestContext: {
      accountId: "000000000000",
      apiId: "bench",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: {
        method: "GET",
        path: `/api/v1/tracks/${TRACK_ID}`,
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.7",
        userAgent: "bench-lambda",
      },
      requestId: "bench-request",
      routeKey: "$default",
      stage: "$default",
      time: "01/Jan/2026:00:00:00 +0000",
      timeEpoch: 1767225600000,
    },
    isBase64Encoded: false,
  },
  context: {
    functionName: "api",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-central-1:000000000000:function:api",
    memoryLimitInMB: "1024",
    awsRequestId: "bench-request",
    logGroupName: "bench",
    logStreamName: "bench",
    callbackWaitsForEmptyEventLoop: true,
  },
};

/**
 * A stand-in for SQS' SendMessageBatch (AWS JSON protocol), on a worker thread so it answers
 * while this thread waits in spawnSync: accepts every entry, with the MD5 the client checks.
 * The API's first invocation flushes its request-log event through it.
 */
async function startSqsStandIn(): Promise<{
  queueUrl: string;
  /** SendMessageBatch requests answered so far. */
  batches(): number;
  close(): Promise<void>;
}> {
  const code = `
    const { createServer } = require("node:http");
    const { createHash } = require("node:crypto");
    const { parentPort } = require("node:worker_threads");
    const server = createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
        const Successful = (input.Entries || []).map((e) => ({
          Id: e.Id,
          MessageId: createHash("sha1").update(e.Id).digest("hex"),
          MD5OfMessageBody: createHash("md5").update(e.MessageBody).digest("hex"),
        }));
        res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ Successful, Failed: [] }));
        parentPort.postMessage({ batch: Successful.length });
      });
    });
    server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
  `;
  const worker = new Worker(code, { eval: true });
  const port = await new Promise<number>((ok, fail) => {
    worker.once("message", ok);
    worker.once("error", fail);
  });
  let batches = 0;
  worker.on("message", () => batches++);
  return {
    queueUrl: `http://127.0.0.1:${port}/000000000000/bench-analytics`,
    batches: () => batches,
    close: async () => void (await worker.terminate()),
  };
}

/**
 * One fresh process: spawn → import → the handler called once with FIRST_REQUEST → exit.
 * Returns [total ms, import ms, handler ms, status, CPU ms].
 */
function firstRequest(
  file: string,
  env: Record<string, string>,
): [number, number, number, number, number] {
  const script =
    `const t=performance.now();const {handler}=await import(${JSON.stringify(`file://${file}`)});` +
    `const i=performance.now();const r=await handler(${JSON.stringify(FIRST_REQUEST.event)},` +
    `{...${JSON.stringify(FIRST_REQUEST.context)},getRemainingTimeInMillis:()=>10000});` +
    `process.stdout.write([i-t,performance.now()-i,r.statusCode,${CPU}].join(" "));process.exit(0)`;
  const started = performance.now();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env,
    encoding: "utf8",
  });
  const total = performance.now() - started;
  if (child.status !== 0) {
    const lines = child.stderr.split("\n").filter((l) => /^\w*Error\b|^\s+at /.test(l));
    throw new Error(`${file}: first request failed:\n${lines.slice(0, 6).join("\n")}`);
  }
  const [importMs, handlerMs, status, cpuMs] = child.stdout.split(" ").map(Number) as [
    number,
    number,
    number,
    number,
  ];
  return [total, importMs, handlerMs, status, cpuMs];
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
  const cold: Record<string, { total: number; importMs: number; cpuMs: number }> = {};
  const summarise = (samples: [number, number, number][]) => ({
    total: median(samples.map((s) => s[0])),
    importMs: median(samples.map((s) => s[1])),
    cpuMs: median(samples.map((s) => s[2])),
  });
  // The API and the bare handler alternate, so both see the same machine load.
  const api = bundles.find((b) => b.name === "api")!;
  const pairs = Array.from({ length: runs }, () => [coldStart(bare.file), coldStart(api.file)]);
  cold["bare"] = summarise(pairs.map((p) => p[0]!));
  cold["api"] = summarise(pairs.map((p) => p[1]!));
  // Every other bundle once: it must load (a missing external or a file read relative to a
  // package would fail here), and its time is indicative.
  for (const b of bundles) if (b !== api) cold[b.name] = summarise([coldStart(b.file)]);

  // The first request, API and bare alternating: AWS credentials as Lambda sets them, the
  // analytics queue (SQS in AWS) at the stand-in.
  const sqs = await startSqsStandIn();
  const requestEnv = {
    ...LAMBDA_ENV,
    ANALYTICS_QUEUE_URL: sqs.queueUrl,
    AWS_ACCESS_KEY_ID: "AKIABENCHBENCHBENCH0",
    AWS_SECRET_ACCESS_KEY: "bench/bench/bench/bench/bench/bench/bench0",
    AWS_SESSION_TOKEN: "bench",
  };
  const requests: [number, number, number, number, number][][] = [];
  try {
    for (let i = 0; i < runs; i++)
      requests.push([firstRequest(bare.file, requestEnv), firstRequest(api.file, requestEnv)]);
    // Let the worker's messages in (this thread was blocked in spawnSync).
    await new Promise((ok) => setTimeout(ok, 50));
    if (sqs.batches() < runs)
      throw new Error(
        `the API's first invocations sent ${sqs.batches()} SendMessageBatch requests in ${runs} runs`,
      );
  } finally {
    await sqs.close();
  }
  const first = (k: 0 | 1) => ({
    total: median(requests.map((r) => r[k]![0])),
    importMs: median(requests.map((r) => r[k]![1])),
    handlerMs: median(requests.map((r) => r[k]![2])),
    status: requests[0]![k]![3],
    cpuMs: median(requests.map((r) => r[k]![4])),
  });
  const firstBare = first(0);
  const firstApi = first(1);

  const ratio = cold["api"].total / cold["bare"].total;
  const firstRatio = firstApi.total / firstBare.total;
  const withEngines = bundles.filter((b) => b.embedded.length > 0);
  const report = {
    node: process.version,
    runs,
    bundles: bundles.map((b) => ({
      name: b.name,
      bytes: b.bytes,
      gzipBytes: b.gzipBytes,
      files: b.files,
      startupBytes: b.startupBytes,
      mapBytes: b.mapBytes,
      embeddedEngines: b.embedded.length,
      coldStartMs: Math.round(cold[b.name]!.total),
      importMs: Math.round(cold[b.name]!.importMs),
      cpuMs: Math.round(cold[b.name]!.cpuMs),
    })),
    bare: {
      bytes: bare.bytes,
      coldStartMs: Math.round(cold["bare"].total),
      importMs: Math.round(cold["bare"].importMs),
      cpuMs: Math.round(cold["bare"].cpuMs),
    },
    api: {
      bytes: api.bytes,
      underLimit: api.bytes <= API_LIMIT_BYTES,
      coldStartRatio: Number(ratio.toFixed(2)),
      cpuRatio: Number((cold["api"].cpuMs / cold["bare"].cpuMs).toFixed(2)),
      firstRequest: {
        request: "GET /api/v1/tracks/{id}",
        status: firstApi.status,
        totalMs: Math.round(firstApi.total),
        importMs: Math.round(firstApi.importMs),
        handlerMs: Math.round(firstApi.handlerMs),
        cpuMs: Math.round(firstApi.cpuMs),
        bareTotalMs: Math.round(firstBare.total),
        bareCpuMs: Math.round(firstBare.cpuMs),
        ratio: Number(firstRatio.toFixed(2)),
        cpuRatio: Number((firstApi.cpuMs / firstBare.cpuMs).toFixed(2)),
      },
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
    console.log(
      "| function | bundle (files) | loaded at start | gzip | embedded engines | cold start | import | CPU |",
    );
    console.log("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |");
    for (const b of report.bundles)
      console.log(
        `| ${b.name} | ${kb(b.bytes)} (${b.files}) | ${kb(b.startupBytes)} | ${kb(b.gzipBytes)} | ${b.embeddedEngines ? "PRESENT" : "none"} | ${b.coldStartMs} ms | ${b.importMs} ms | ${b.cpuMs} ms |`,
      );
    console.log(
      `| bare handler | ${kb(bare.bytes)} (${bare.files}) | ${kb(bare.startupBytes)} | ${kb(bare.gzipBytes)} | none | ${report.bare.coldStartMs} ms | ${report.bare.importMs} ms | ${report.bare.cpuMs} ms |`,
    );
    const fr = report.api.firstRequest;
    console.log(
      `\nfirst request, cold process (spawn → import → ${fr.request} → exit; no database: ${fr.status}): ` +
        `API ${fr.totalMs} ms (import ${fr.importMs} ms + handler ${fr.handlerMs} ms; CPU ${fr.cpuMs} ms), ` +
        `bare handler ${fr.bareTotalMs} ms (CPU ${fr.bareCpuMs} ms): ${fr.ratio}× the bare handler (CPU ${fr.cpuRatio}×)`,
    );
    console.log(
      // "met" / "NOT met": the words `npm run bench:all` gathers into its table of targets.
      `\nAPI bundle ${kb(api.bytes)} (limit ${kb(API_LIMIT_BYTES)}): ${report.api.underLimit ? "met" : "NOT met"}; ` +
        `cold start ${report.api.coldStartRatio}× the bare handler (target ≤ 2×): ${ratio <= 2 ? "met" : "NOT met"} ` +
        `(CPU ${report.api.cpuRatio}×)`,
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
