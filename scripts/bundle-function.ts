import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import type * as Esbuild from "esbuild";
import type { BuildOptions, Metafile, Plugin } from "esbuild";
import { NODEJS_BUNDLING } from "../stacks/lambda";

const root = resolve(import.meta.dirname, "..");

/** The esbuild SST bundles functions with (its own dependency, older than the root one). */
export const sstEsbuild = createRequire(join(root, "node_modules", "sst", "package.json"))(
  "esbuild",
) as typeof Esbuild;

/** SST's banner for ESM bundles (sst/runtime/handlers/node.js): `require` and `__dirname` in ESM. */
const BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join("\n");

/**
 * Bundles one Lambda entry exactly as the stacks do (SST's esbuild and options, stacks/lambda.ts),
 * for `npm run bench:lambda` and the LocalStack functions of `npm run dev:containers`.
 */
export async function bundleFunction(
  entry: string,
  outfile: string,
  external: readonly string[] = NODEJS_BUNDLING.esbuild.external,
): Promise<Metafile> {
  const options: BuildOptions = {
    entryPoints: [resolve(root, entry)],
    outfile,
    platform: "node",
    bundle: true,
    format: "esm",
    target: NODEJS_BUNDLING.esbuild.target,
    mainFields: ["module", "main"],
    minify: NODEJS_BUNDLING.minify,
    keepNames: true,
    sourcemap: true,
    metafile: true,
    logLevel: "error",
    // SST always leaves these two out (native modules).
    external: ["sharp", "pg-native", ...external],
    plugins: [...NODEJS_BUNDLING.esbuild.plugins] as unknown as Plugin[],
    banner: { js: BANNER },
  };
  const result = await sstEsbuild.build(options);
  return result.metafile!;
}
