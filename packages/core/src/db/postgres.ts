import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { migrationsFolder } from "./migrations";
import { createDatabaseBreaker, guardClient } from "./resilience";
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
  /**
   * A statement (or a wait for a connection) slower than this makes the adapter check the server
   * on a fresh connection; if it does not answer, requests get 503 at once (default 1000 ms).
   */
  slowMs?: number;
  /** Opening a connection gives up after this long (default 1500 ms). */
  connectTimeoutMs?: number;
}

/**
 * The PostgreSQL server adapter: `postgres` (postgres.js) driver + drizzle, failing fast when the
 * server is gone (connect timeout, a breaker watching every statement: `resilience.ts`) and
 * recovering alone (the pool is replaced when the breaker opens; it closes when a probe answers).
 */
export function connectPostgres(url: string, options: PostgresOptions = {}): CatalogDatabase {
  const connectSeconds = (options.connectTimeoutMs ?? 1500) / 1000;
  const open = (max: number) =>
    postgres(url, {
      max,
      ...(options.password ? { password: options.password } : {}),
      idle_timeout: 20,
      connect_timeout: connectSeconds,
      // Dead peers are noticed by the breaker; keepalive only reaps what it did not touch.
      keep_alive: 10,
      onnotice: () => {},
    });
  const breaker = createDatabaseBreaker({
    slowMs: options.slowMs ?? 1000,
    async probe() {
      const probe = open(1);
      try {
        await Promise.race([
          probe`select 1`,
          new Promise((_, reject) =>
            // Short: slowMs + this is how long the first request of an outage waits (< 2 s).
            setTimeout(() => reject(new Error("probe timed out")), 700).unref(),
          ),
        ]);
      } finally {
        void probe.end({ timeout: 0 }).catch(() => {});
      }
    },
    recycle() {
      const old = client;
      client = open(options.max ?? 10);
      current = drizzle(guardClient(client, breaker), { schema });
      void old.end({ timeout: 0 }).catch(() => {});
    },
  });
  let client = open(options.max ?? 10);
  let current = drizzle(guardClient(client, breaker), { schema }) as unknown as Db;
  // One stable object for the rest of the code, always speaking to the current pool.
  const db = new Proxy({} as Db, {
    get: (_, prop) => {
      const value: unknown = Reflect.get(current, prop, current);
      return typeof value === "function"
        ? (value as (...a: unknown[]) => unknown).bind(current)
        : value;
    },
  });
  return {
    db,
    kind: "postgres",
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      breaker.close();
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
