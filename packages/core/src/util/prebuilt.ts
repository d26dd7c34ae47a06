import { fileURLToPath } from "node:url";

/**
 * A worker thread's entry when the server runs prebuilt. `npm start` (packages/local/launch.mjs)
 * bundles start.ts and each worker-thread entry with esbuild and registers, under this symbol,
 * the built file of each entry's source: a worker then starts with plain Node on the built file.
 * Anywhere else (tsx, vitest) nothing is registered and the worker loads its TypeScript source.
 */
const KEY = Symbol.for("jonquils.prebuiltWorkers");

/** The built entry for a worker's TypeScript source, when this process runs a prebuilt server. */
export function prebuiltWorker(source: URL): string | undefined {
  const map = (globalThis as Record<symbol, Record<string, string> | undefined>)[KEY];
  return map?.[fileURLToPath(source)];
}
