import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type * as schema from "./schema";

export type Schema = typeof schema;

/** The catalog database, whichever driver is behind it (postgres-js or PGlite). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything queries can run on: the database or an open transaction. */
export type Executor = Db | Tx;

/** A database connection and what the runtime needs to manage it. */
export interface CatalogDatabase {
  readonly db: Db;
  readonly kind: "postgres" | "pglite";
  ping(): Promise<void>;
  close(): Promise<void>;
}
