import { classifyDbError, toDomainError } from "@jonquils/core/db/errors";
import { users } from "@jonquils/core/db/schema";
import { eq, sql } from "drizzle-orm";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "./pglite";
import { loadTemplate, pgliteTemplate } from "./pglite-template";
import { openPgliteThread } from "./pglite-thread";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const dataDir = async () => {
  const d = await mkdtemp(join(tmpdir(), "jonquils-pgthread-"));
  dirs.push(d);
  return join(d, "pgdata");
};
const user = (name: string) => ({
  username: name,
  email: `${name}@example.com`,
  passwordHash: "x",
});

/** The longest pause of this thread's event loop while `work` runs (5 ms ticks). */
async function longestPause(work: () => Promise<unknown>) {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  const t = performance.now();
  await work();
  const took = performance.now() - t;
  clearInterval(timer);
  worst = Math.max(worst, performance.now() - last);
  return { worst, took };
}

// A statement that keeps PostgreSQL busy for a while (~0.5–2 s on this machine).
const HEAVY = "select count(*)::int as n from generate_series(1, 1500000) g where g % 7 = 3";

describe("PGlite on a worker thread (the local wiring's catalog)", () => {
  it("opens a data folder with every table, commits, rolls back and keeps data across a reopen", async () => {
    const dir = await dataDir();
    const catalog = await openPgliteThread({ dataDir: dir, useTemplate: true, migrate: true });
    const { db } = catalog;
    const genres: unknown = await db.execute(sql`select count(*)::int as n from genres`);
    expect((genres as { rows: { n: number }[] }).rows[0]!.n).toBeGreaterThan(10);

    await db.transaction(async (tx) => {
      await tx.insert(users).values(user("kept"));
      // A savepoint rolled back inside a committed transaction.
      await tx
        .transaction(async (inner) => {
          await inner.insert(users).values(user("inner"));
          throw new Error("undo the inner one");
        })
        .catch(() => {});
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(users).values(user("dropped"));
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const names = (await db.select({ u: users.username }).from(users)).map((r) => r.u);
    expect(names).toEqual(["kept"]);
    // Timestamps stay PostgreSQL's text, mapped to Date by drizzle as with in-process PGlite.
    const [row] = await db.select().from(users).where(eq(users.username, "kept"));
    expect(row!.createdAt).toBeInstanceOf(Date);
    await catalog.close();

    const again = await openPgliteThread({ dataDir: dir, migrate: true });
    expect((await again.db.select({ u: users.username }).from(users)).map((r) => r.u)).toEqual([
      "kept",
    ]);
    await again.close();
  });

  it("answers database errors with their SQLSTATE and constraint, so the domain mapper maps them", async () => {
    const catalog = await openPgliteThread({ useTemplate: true, migrate: true });
    await catalog.db.insert(users).values(user("taken"));
    const error = await catalog.db
      .insert(users)
      .values(user("taken"))
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(classifyDbError(error)).toBe("unique_violation");
    expect(toDomainError(error)?.status).toBe(409);
    await catalog.close();
    // A stopped engine is an unavailable database (503), not a bug (500).
    const after = await catalog.db
      .select()
      .from(users)
      .catch((e: unknown) => e);
    expect(classifyDbError(after)).toBe("unavailable");
  });

  it("holds other statements back while a transaction is open between its queries", async () => {
    const catalog = await openPgliteThread({ useTemplate: true, migrate: true });
    const { db } = catalog;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (t) => {
      await t.insert(users).values(user("in-tx"));
      await gate; // the API awaits something else mid-transaction
      await t.insert(users).values(user("in-tx-2"));
    });
    await new Promise((r) => setTimeout(r, 50));
    const outside = db.select({ u: users.username }).from(users);
    await new Promise((r) => setTimeout(r, 50));
    release();
    await tx;
    expect((await outside).map((r) => r.u).sort()).toEqual(["in-tx", "in-tx-2"]);
    await catalog.close();
  });

  it("leaves the caller's event loop free while a long statement runs (in-process PGlite blocks it)", async () => {
    const thread = await openPgliteThread();
    const off = await longestPause(() => thread.client.query(HEAVY));
    await thread.close();
    const inProcess = await openPglite({ loadDataDir: await loadTemplate(await pgliteTemplate()) });
    const on = await longestPause(() => inProcess.client.query(HEAVY));
    await inProcess.close();
    // In-process, the loop stops for the whole statement; on the worker it keeps ticking.
    expect(on.worst).toBeGreaterThan(0.8 * on.took);
    expect(off.took).toBeGreaterThan(200);
    expect(off.worst).toBeLessThan(Math.max(60, off.took / 5));
  }, 120_000);
});
