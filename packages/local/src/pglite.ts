import { PGlite } from "@electric-sql/pglite";
import { fuzzystrmatch } from "@electric-sql/pglite/contrib/fuzzystrmatch";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { CatalogDatabase, Db } from "@jonquils/core";
import { migrationsFolder } from "@jonquils/core/db/migrations";
import * as schema from "@jonquils/core/db/schema";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";

export interface PgliteOptions {
  /** Data directory; undefined keeps everything in memory. */
  dataDir?: string | undefined;
  /** A data directory dumped with `dumpDataDir` to start from (skips initdb). */
  loadDataDir?: Blob | File | undefined;
}

/** PGlite (PostgreSQL compiled to WASM, in-process) behind the catalog database port. */
export async function openPglite(
  options: PgliteOptions = {},
): Promise<CatalogDatabase & { client: PGlite }> {
  const client = await PGlite.create({
    // The search index's extensions (migration 0004_search); loaded with the engine.
    extensions: { pg_trgm, fuzzystrmatch },
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    client,
    kind: "pglite",
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

export async function migratePglite(catalog: { client: PGlite }): Promise<void> {
  await migrate(drizzle(catalog.client), { migrationsFolder });
}
