import { dbKinds, openTestDatabase } from "@jonquils/local/testing/harness";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { classifyDbError, toDomainError } from "./errors";
import { connectPostgres } from "./postgres";
import type { CatalogDatabase } from "./types";

/**
 * The one database-error mapper against the errors the two engines really raise (PGlite in
 * process, and the PostgreSQL server when DATABASE_URL is set), through drizzle as services
 * see them: what a client gets for a duplicate, a dangling or still-used reference, a value
 * the database refuses, a lost connection and a lock it cannot wait for.
 */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error("expected the statement to fail");
}

describe.each(dbKinds())("toDomainError on %s", (kind) => {
  let catalog: CatalogDatabase & { url?: string };
  beforeAll(async () => {
    catalog = await openTestDatabase(kind);
    await catalog.db.execute(
      sql`create table jq_err_parent (id int primary key, name text not null unique, n int check (n > 0))`,
    );
    await catalog.db.execute(
      sql`create table jq_err_child (id int primary key, parent int not null references jq_err_parent(id))`,
    );
    await catalog.db.execute(sql`insert into jq_err_parent values (1, 'one', 1)`);
    await catalog.db.execute(sql`insert into jq_err_child values (1, 1)`);
  }, 60_000);
  afterAll(async () => catalog?.close());

  it("a unique violation is a 409 conflict, or the domain's own error for that constraint", async () => {
    const error = await failure(
      catalog.db.execute(sql`insert into jq_err_parent values (2, 'one', 1)`),
    );
    expect(classifyDbError(error)).toBe("unique_violation");
    expect(toDomainError(error)).toMatchObject({ code: "conflict", status: 409 });
    const named = toDomainError(error, {
      unique: { jq_err_parent_name_key: () => new AppError("name_taken", 409, "taken") },
    });
    expect(named).toMatchObject({ code: "name_taken" });
  });

  it("a reference to a missing row is a 404; deleting a row still referenced is a 409", async () => {
    const dangling = await failure(
      catalog.db.execute(sql`insert into jq_err_child values (2, 99)`),
    );
    expect(classifyDbError(dangling)).toBe("foreign_key_missing");
    expect(toDomainError(dangling)).toMatchObject({ code: "reference_not_found", status: 404 });

    const used = await failure(catalog.db.execute(sql`delete from jq_err_parent where id = 1`));
    expect(classifyDbError(used)).toBe("foreign_key_referenced");
    expect(toDomainError(used)).toMatchObject({ code: "still_referenced", status: 409 });
  });

  it("check, not-null, malformed and NUL-bearing values are the client's: 400 invalid_value", async () => {
    const statements = [
      sql`insert into jq_err_parent values (3, 'three', -1)`,
      sql`insert into jq_err_parent values (4, null, 1)`,
      sql`select 'not-a-uuid'::uuid`,
      sql`insert into jq_err_parent values (5, ${"nul\u0000byte"}, 1)`,
    ];
    for (const statement of statements) {
      const error = await failure(catalog.db.execute(statement));
      expect(toDomainError(error), String(error)).toMatchObject({
        code: "invalid_value",
        status: 400,
      });
    }
  });

  it("errors that are not the database's are left alone (the 500 handler logs them)", () => {
    expect(toDomainError(new TypeError("x is undefined"))).toBeUndefined();
    const domain = new AppError("track_not_found", 404, "no");
    expect(toDomainError(domain)).toBe(domain);
  });
});

describe("toDomainError for a server that cannot be reached", () => {
  it("a refused connection is 503 database_unavailable with Retry-After", async () => {
    // A loopback port nobody listens on (this suite's own range).
    const catalog = connectPostgres("postgres://nobody:x@127.0.0.1:18799/none", {
      max: 1,
      connectTimeoutMs: 2000,
    });
    try {
      const error = await failure(catalog.db.execute(sql`select 1`));
      expect(classifyDbError(error)).toBe("unavailable");
      expect(toDomainError(error)).toMatchObject({
        code: "database_unavailable",
        status: 503,
        extra: { retryAfterSeconds: 2 },
      });
    } finally {
      await catalog.close();
    }
  });
});

describe.runIf(dbKinds().includes("postgres"))("toDomainError under contention (server)", () => {
  it("a row lock it cannot take at once (NOWAIT) is 503 database_busy, retryable", async () => {
    const catalog = await openTestDatabase("postgres");
    try {
      await catalog.db.execute(sql`create table jq_err_lock (id int primary key)`);
      await catalog.db.execute(sql`insert into jq_err_lock values (1)`);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = catalog.db.transaction(async (tx) => {
        await tx.execute(sql`select id from jq_err_lock where id = 1 for update`);
        locked();
        await held;
      });
      await isLocked;
      const error = await failure(
        catalog.db.execute(sql`select id from jq_err_lock where id = 1 for update nowait`),
      );
      release();
      await holder;
      expect(classifyDbError(error)).toBe("contention");
      expect(toDomainError(error)).toMatchObject({ code: "database_busy", status: 503 });
    } finally {
      await catalog.close();
    }
  });
});
