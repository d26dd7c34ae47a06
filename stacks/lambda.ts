import { dirname, join } from "node:path";
import { Duration, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import type { Config, FunctionProps } from "sst/constructs";

/** An esbuild plugin as SST's own esbuild (the one that bundles the functions) types it. */
type EsbuildOptions = NonNullable<NonNullable<FunctionProps["nodejs"]>["esbuild"]>;
type Plugin = NonNullable<EsbuildOptions["plugins"]>[number];

/**
 * zod re-exports all of its ~60 message locales (`z.locales`, 260 KB minified) and esbuild
 * cannot drop a namespace re-export. Nothing here switches locale (zod configures English
 * itself), so bundles get a `locales` module holding English only.
 */
export const zodEnglishOnly: Plugin = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]v4[\\/]/.test(args.importer)) return undefined;
      return { path: join(dirname(args.importer), "..", "locales", "en.js"), namespace: "zod-en" };
    });
    build.onLoad({ filter: /.*/, namespace: "zod-en" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};\n`,
      resolveDir: dirname(args.path),
      loader: "js",
    }));
  },
};

/**
 * How every function is bundled (the same options `npm run bench:lambda` measures): ESM,
 * minified, for Node 22, with the AWS SDK v3 left to the Lambda runtime that ships it (and v2,
 * which nothing loads, left out).
 * SST adds its `createRequire` banner and a source map beside each bundle.
 *
 * Code splitting: what a function loads by dynamic `import()` (the OpenSearch and ClickHouse
 * clients, the S3, SQS, SNS and KMS adapters) becomes a chunk file of its own beside the entry
 * (`functions/api.mjs` + `chunk-*.mjs`, `opensearch-*.mjs`, …), parsed only when first used.
 * Without it esbuild inlines those modules into the one file, and every cold start compiles
 * them (for the API ~420 KB of its 1.5 MB). The entry file keeps its name, so the handlers
 * (`functions/api.handler`) are unchanged.
 */
export const NODEJS_BUNDLING = {
  format: "esm" as const,
  minify: true,
  splitting: true,
  esbuild: {
    target: "node22",
    // aws-sdk (v2): @opensearch-project/opensearch/aws imports it only when the v3 credential
    // provider is missing (never on Lambda, which ships v3); bundled, it would add ~9 MB.
    external: ["@aws-sdk/*", "aws-sdk"],
    plugins: [zodEnglishOnly],
  } satisfies EsbuildOptions,
} satisfies FunctionProps["nodejs"];

/**
 * The transform bundle also leaves out sharp (a layer, stacks/sharp-layer.ts) and the one
 * optional codec audio-decode imports that is not installed (APE: such a file fails as
 * unreadable, as it does locally).
 */
export const TRANSFORM_EXTERNAL: string[] = [
  ...NODEJS_BUNDLING.esbuild.external,
  "sharp",
  "@audio/decode-ape",
];

/** Powertools' service name and the CloudWatch metrics namespace of every function. */
export const OBSERVABILITY_ENV = {
  NODE_ENV: "production",
  LOG_LEVEL: "info",
  POWERTOOLS_SERVICE_NAME: "jonquils",
  POWERTOOLS_METRICS_NAMESPACE: "Jonquils",
} as const;

/**
 * The AWS Parameters and Secrets Lambda Extension, on every function: functions/secrets.ts
 * reads SSM parameters and Secrets Manager secrets from it over HTTP on localhost, so no AWS
 * SDK client is loaded at cold start. Values are cached in the extension for a minute: a
 * rotated database password reaches new connections within that time.
 */
export const PARAMS_AND_SECRETS = lambda.ParamsAndSecretsLayerVersion.fromVersion(
  lambda.ParamsAndSecretsVersions.V1_0_103,
  {
    cacheEnabled: true,
    cacheSize: 100,
    httpPort: 2773,
    logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
    parameterStoreTtl: Duration.minutes(5),
    secretsManagerTtl: Duration.minutes(1),
  },
);

/**
 * What a function reading SST secrets needs: SST's binding (the SST_Secret_value_* variables
 * naming them, ssm:GetParameters) plus ssm:GetParameter on the same parameters, the call the
 * extension makes. No other parameter of the stage is readable.
 */
export function secretAccess(
  secrets: Config.Secret[],
): Pick<FunctionProps, "bind" | "permissions"> {
  if (secrets.length === 0) return { bind: [], permissions: [] };
  const stack = Stack.of(secrets[0]!);
  const app = secrets[0]!.node.root as unknown as { name: string; stage: string };
  const arn = (path: string) =>
    `arn:${stack.partition}:ssm:${stack.region}:${stack.account}:parameter${path}`;
  return {
    bind: secrets,
    permissions: [
      new iam.PolicyStatement({
        actions: ["ssm:GetParameter"],
        resources: secrets.flatMap((s) => [
          arn(`/sst/${app.name}/${app.stage}/Secret/${s.name}/value`),
          arn(`/sst/${app.name}/.fallback/Secret/${s.name}/value`),
        ]),
      }),
    ],
  };
}

/** Merges extra IAM statements into a secretAccess(...) result. */
export function withPermissions(
  access: Pick<FunctionProps, "bind" | "permissions">,
  statements: iam.PolicyStatement[],
): Pick<FunctionProps, "bind" | "permissions"> {
  return { bind: access.bind ?? [], permissions: [...(access.permissions ?? []), ...statements] };
}

/**
 * Reserved concurrency of the functions that hold PostgreSQL connections: db.t4g.micro allows
 * ~80–110 connections, so instances × pool must stay well under that. The API pools 2
 * connections (functions/runtime.ts), a pipeline step 1 (functions/runtime.ts), the
 * scheduled functions 2. Budget: 20×2 + 6×2×1 + 2×2 = 56, plus the migration's 1 and room for
 * an operator's psql. Reserving needs an account concurrency quota of at least the sum + 100:
 * `npm run deploy:check` checks it.
 */
export const RESERVED_CONCURRENCY = { api: 20, pipelineStep: 2, scheduled: 1 } as const;
/** The connection budget above, asserted against the synthesized templates. */
export const DB_CONNECTION_BUDGET = 70;
