import { dirname, join } from "node:path";
import type { FunctionProps } from "sst/constructs";

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
 * minified, for Node 22, with the AWS SDK v3 left to the Lambda runtime that ships it.
 * SST adds its `createRequire` banner and a source map beside each bundle.
 */
export const NODEJS_BUNDLING = {
  format: "esm" as const,
  minify: true,
  esbuild: {
    target: "node22",
    external: ["@aws-sdk/*"],
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
