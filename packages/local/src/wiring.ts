import {
  assembleRuntime,
  createLogger,
  type CatalogDatabase,
  type Config,
  type Runtime,
} from "@jonquils/core";
import { connectPostgres, migratePostgres } from "@jonquils/core/db/postgres";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { localJwtSecret } from "./secret";

/**
 * Opens the catalog database and applies migrations: the PostgreSQL server when
 * DATABASE_URL is set, otherwise PGlite with its data under DATA_DIR. PGlite is
 * imported dynamically so it never reaches a server or Lambda bundle.
 */
export async function openLocalCatalog(config: Config): Promise<CatalogDatabase> {
  if (config.DATABASE_URL) {
    await migratePostgres(config.DATABASE_URL);
    return connectPostgres(config.DATABASE_URL);
  }
  const { openPglite, migratePglite } = await import("./pglite");
  const dataDir = join(config.DATA_DIR, "pgdata");
  await mkdir(dataDir, { recursive: true });
  const catalog = await openPglite({ dataDir });
  await migratePglite(catalog);
  return catalog;
}

/** The local wiring: embedded engines unless env vars point at servers. */
export async function createLocalRuntime(config: Config): Promise<Runtime> {
  const log = createLogger(config.LOG_LEVEL);
  const catalog = await openLocalCatalog(config);
  const secret = await localJwtSecret(config.DATA_DIR, config.JWT_SECRET);
  return assembleRuntime(config, catalog, secret, log);
}
