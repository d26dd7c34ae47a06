import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { migrationsFolder } from "./migrations";
import * as schema from "./schema";
import type { CatalogDatabase, Db } from "./types";

export interface PostgresOptions {
  /** Connections in the pool; a Lambda needs one or two, a server more. */
  max?: number;
  /**
   * Called each time a connection opens (postgres.js `password`): a rotated password (e.g.
   * RDS-managed in Secrets Manager) is picked up without restarting. Default: the URL's.
   */
  password?: () => string | Promise<string>;
}

/** The PostgreSQL server adapter: `postgres` (postgres.js) driver + drizzle. */
export function connectPostgres(url: string, options: PostgresOptions = {}): CatalogDatabase {
  const client = postgres(url, {
    max: options.max ?? 10,
    ...(options.password ? { password: options.password } : {}),
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => {},
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: "postgres",
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/** Applies pending migrations on a PostgreSQL server (one connection, then closed). */
export async function migratePostgres(url: string, folder = migrationsFolder): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(client), { migrationsFolder: folder });
  } finally {
    await client.end({ timeout: 5 });
  }
}
