/**
 * `npm run dev:containers`: the containers wiring. Bundles the Lambda functions LocalStack
 * runs (as the stacks bundle them) into localstack/build, checks that the services of
 * localstack/docker-compose.yml answer, then runs `npm start` with localstack/containers.env:
 * PostgreSQL, Valkey, ClickHouse, OpenSearch and LocalStack's S3/SQS/SNS instead of the
 * embedded engines. Uploads then go S3 → EventBridge → Step Functions → the step Lambdas in
 * LocalStack, analytics through SQS to the consumer Lambda, as in AWS.
 *
 *   LOCALSTACK_AUTH_TOKEN=… docker compose -f localstack/docker-compose.yml up -d
 *   npm run dev:containers            (--build-only: just the bundles)
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleFunction } from "../scripts/bundle-function";
import { TRANSFORM_EXTERNAL } from "../stacks/lambda";
import { buildSharpLayerDir } from "../stacks/sharp-layer";

const root = resolve(import.meta.dirname, "..");
const build = join(root, "localstack", "build");

const FUNCTIONS: Record<string, { entry: string; external?: string[] }> = {
  "pipeline-extract": { entry: "functions/pipeline/extract.ts" },
  "pipeline-transform": { entry: "functions/pipeline/transform.ts", external: TRANSFORM_EXTERNAL },
  "pipeline-load": { entry: "functions/pipeline/load.ts" },
  "pipeline-index": { entry: "functions/pipeline/index.ts" },
  "pipeline-aggregate": { entry: "functions/pipeline/aggregate.ts" },
  "pipeline-mark-failed": { entry: "functions/pipeline/mark-failed.ts" },
  "analytics-consumer": { entry: "functions/analytics-consumer.ts" },
};

async function buildFunctions() {
  rmSync(build, { recursive: true, force: true });
  for (const [name, spec] of Object.entries(FUNCTIONS)) {
    const dir = join(build, name);
    mkdirSync(dir, { recursive: true });
    await bundleFunction(spec.entry, join(dir, "index.mjs"), spec.external);
  }
  // sharp for linux-x64 beside the transform bundle (in AWS it is a layer).
  cpSync(
    join(buildSharpLayerDir(), "nodejs", "node_modules"),
    join(build, "pipeline-transform", "node_modules"),
    {
      recursive: true,
    },
  );
  console.log(`dev:containers: ${Object.keys(FUNCTIONS).length} functions bundled into ${build}`);
}

/** What is not answering, by name (empty when every service is up). */
async function missingServices(env: Record<string, string | undefined>): Promise<string[]> {
  const probes: [string, string][] = [
    ["LocalStack", "http://localhost:4566/_localstack/health"],
    ["ClickHouse", `${env["CLICKHOUSE_URL"]}/ping`],
    ["OpenSearch", `${env["OPENSEARCH_URL"]}`],
  ];
  const down: string[] = [];
  for (const [name, url] of probes) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(3000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!ok) down.push(`${name} (${url})`);
  }
  return down;
}

async function main() {
  await buildFunctions();
  if (process.argv.includes("--build-only")) return;

  const envFile = join(root, "localstack", "containers.env");
  if (!existsSync(envFile)) throw new Error(`${envFile} is missing`);
  process.loadEnvFile(envFile);
  const down = await missingServices(process.env);
  if (down.length > 0) {
    console.error(
      `dev:containers: not answering: ${down.join(", ")}.\n` +
        `Start them with: LOCALSTACK_AUTH_TOKEN=<token> docker compose -f localstack/docker-compose.yml up -d\n` +
        `(LocalStack needs an auth token to start. \`npm start\` needs none of this.)`,
    );
    process.exit(1);
  }
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "packages/local/src/start.ts")],
    {
      stdio: "inherit",
      env: process.env,
    },
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code) => process.exit(code ?? 1));
}

await main();
