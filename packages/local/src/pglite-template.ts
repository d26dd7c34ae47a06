import { migrationsFolder } from "@jonquils/core/db/migrations";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { migratePglite, openPglite } from "./pglite";

/**
 * A migrated, empty PGlite data directory, dumped once and reused: a fresh data folder is
 * loaded from it (~0.5 s) instead of running initdb and every migration (3–4 s on a quiet
 * machine, far more under load). The dump is keyed by the migrations and the PGlite version, so
 * a new migration or engine makes a new one; it lives in node_modules/.cache (never committed,
 * rebuilt on a fresh install), next to other tools' caches.
 */
const CACHE_DIR = resolve(
  fileURLToPath(new URL("../../../node_modules/.cache/jonquils", import.meta.url)),
);

/** Content hash of the migrations folder (SQL and drizzle's journal) and the engine version. */
export async function migrationsKey(folder = migrationsFolder): Promise<string> {
  const hash = createHash("sha256");
  // The package exports no package.json: find it from the entry point it does export.
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const root = entry.slice(
    0,
    entry.lastIndexOf("@electric-sql/pglite") + "@electric-sql/pglite".length,
  );
  hash.update(await readFile(join(root, "package.json")));
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        hash.update(`${path.slice(folder.length)}\n`);
        hash.update(await readFile(path));
      }
    }
  };
  await walk(folder);
  return hash.digest("hex").slice(0, 16);
}

/** The template's path, made now if it does not exist yet. */
export async function pgliteTemplate(cacheDir = CACHE_DIR): Promise<string> {
  const file = join(cacheDir, `pglite-${await migrationsKey()}.tar.gz`);
  if (existsSync(file)) return file;
  const catalog = await openPglite();
  try {
    await migratePglite(catalog);
    const dump = await catalog.client.dumpDataDir("gzip");
    await mkdir(cacheDir, { recursive: true });
    // Written beside and renamed, so two first starts at once never read half a file.
    const partial = `${file}.${process.pid}.part`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
  } finally {
    await catalog.close();
  }
  return file;
}

/** True when `dataDir` holds no PostgreSQL cluster yet (a first start). */
export const isEmptyDataDir = (dataDir: string) => !existsSync(join(dataDir, "PG_VERSION"));

/** The template as PGlite's `loadDataDir` wants it. */
export async function loadTemplate(file: string): Promise<Blob> {
  return new Blob([await readFile(file)]);
}
