/**
 * `npm install`'s last step (root package.json `postinstall` → `node packages/local/launch.mjs
 * --prepare`): the server bundle is built by the launcher before this runs, and this makes the
 * migrated PGlite template (pglite-template.ts). The first `npm start` then neither bundles nor
 * runs initdb and every migration — it starts like any other.
 */
import { pgliteTemplate } from "../pglite-template";

const started = performance.now();
const file = await pgliteTemplate();
process.stderr.write(
  `prepared the embedded database template in ${Math.round(performance.now() - started)} ms (${file})\n`,
);
