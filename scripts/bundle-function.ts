import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, extname, join, resolve } from "node:path";
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
 *
 * The entry is written to `outfile`. With code splitting (NODEJS_BUNDLING.splitting) the chunks
 * it loads go beside it, as SST writes them (outdir = the entry's folder, `.mjs` extension);
 * everything in that folder is what the function ships. Like SST, the first source map of the
 * build (the entry's) is taken out of the folder (SST uploads it for its console); the chunks'
 * maps stay, as they do in the deployed asset.
 */
export async function bundleFunction(
  entry: string,
  outfile: string,
  external: readonly string[] = NODEJS_BUNDLING.esbuild.external,
): Promise<Metafile> {
  const splitting = NODEJS_BUNDLING.splitting;
  const name = basename(outfile, extname(outfile));
  const options: BuildOptions = {
    ...(splitting
      ? {
          entryPoints: { [name]: resolve(root, entry) },
          outdir: dirname(outfile),
          splitting: true,
          outExtension: { ".js": extname(outfile) || ".mjs" },
        }
      : { entryPoints: [resolve(root, entry)], outfile }),
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
  const metafile = result.metafile!;
  // SST moves the first source map out of the asset (sst/runtime/handlers/node.js, Function.js).
  const firstMap = Object.keys(metafile.outputs).find((file) => file.endsWith(".map"));
  if (firstMap) rmSync(resolve(firstMap));
  return metafile;
}
