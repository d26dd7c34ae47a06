import type { FunctionProps } from "sst/constructs";

/**
 * How every function is bundled (the same options `npm run bench:lambda` measures): ESM,
 * minified, for Node 22, with the AWS SDK v3 left to the Lambda runtime that ships it.
 * SST adds its `createRequire` banner and a source map beside each bundle.
 */
export const NODEJS_BUNDLING = {
  format: "esm",
  minify: true,
  esbuild: { target: "node22", external: ["@aws-sdk/*"] },
} as const satisfies FunctionProps["nodejs"];

/** Powertools' service name and the CloudWatch metrics namespace of every function. */
export const OBSERVABILITY_ENV = {
  NODE_ENV: "production",
  LOG_LEVEL: "info",
  POWERTOOLS_SERVICE_NAME: "jonquils",
  POWERTOOLS_METRICS_NAMESPACE: "Jonquils",
} as const;
