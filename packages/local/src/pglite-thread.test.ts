import { classifyDbError, toDomainError } from "@jonquils/core/db/errors";
import { users } from "@jonquils/core/db/schema";
import { eq, sql } from "drizzle-orm";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "./pglite";
import { loadTemplate, pgliteTemplate } from "./pglite-template";
import { MAX_RESTARTS, openPgliteThread } from "./pglite-thread";

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

  // A real crash: the worker's V8 heap is capped and a result too big for it kills the thread
  // (ERR_WORKER_OUT_OF_MEMORY), as a runaway query would without the cap.
  const HUGE = "select repeat('x', 1000) as s from generate_series(1, 300000)";
  const heapCap = { maxOldGenerationSizeMb: 96 };

  it("reopens its data folder after the engine crashes mid-transaction: committed rows kept, the transaction answers 503 and is not applied", async () => {
    const restarts: number[] = [];
    let fatal: Error | undefined;
    const catalog = await openPgliteThread(
      { dataDir: await dataDir(), useTemplate: true, migrate: true },
      {
        resourceLimits: heapCap,
        onRestart: (_cause, n) => restarts.push(n),
        onFatal: (e) => (fatal = e),
      },
    );
    const { db } = catalog;
    await db.insert(users).values(user("before-crash"));
    // The engine dies inside a transaction: its statement and the transaction answer 503.
    let crashed: unknown;
    const inTx = await db
      .transaction(async (tx) => {
        await tx.insert(users).values(user("uncommitted"));
        crashed = await tx.execute(sql.raw(HUGE)).catch((e: unknown) => e);
        await tx.insert(users).values(user("uncommitted-2"));
      })
      .catch((e: unknown) => e);
    expect(classifyDbError(crashed)).toBe("unavailable");
    expect(classifyDbError(inTx)).toBe("unavailable");
    // Back within a few seconds, without a restart of this process.
    let names: string[] | undefined;
    for (let i = 0; i < 100 && !names; i++) {
      names = await db
        .select({ u: users.username })
        .from(users)
        .then((rows) => rows.map((r) => r.u))
        .catch(() => undefined);
      if (!names) await new Promise((r) => setTimeout(r, 100));
    }
    expect(names).toEqual(["before-crash"]);
    expect(restarts).toEqual([1]);
    expect(fatal).toBeUndefined();
    await db.insert(users).values(user("after-crash"));
    expect((await db.select().from(users)).length).toBe(2);
    await catalog.close();
  }, 120_000);

  it("gives up (onFatal) when an in-memory engine crashes, or one on disk crashes again and again", async () => {
    let fatal: Error | undefined;
    const memory = await openPgliteThread(
      { useTemplate: true, migrate: true },
      { resourceLimits: heapCap, onFatal: (e) => (fatal = e) },
    );
    await memory.client.query(HUGE).catch(() => {});
    expect(fatal?.message).toMatch(/PGlite worker stopped/);
    expect(
      classifyDbError(
        await memory.db
          .select()
          .from(users)
          .catch((e: unknown) => e),
      ),
    ).toBe("unavailable");
    await memory.close();

    fatal = undefined;
    let restarts = 0;
    const disk = await openPgliteThread(
      { dataDir: await dataDir(), useTemplate: true, migrate: true },
      { resourceLimits: heapCap, onRestart: () => restarts++, onFatal: (e) => (fatal = e) },
    );
    for (let crash = 0; crash <= MAX_RESTARTS && !fatal; crash++) {
      for (let i = 0; i < 100; i++) {
        const e = await disk.client.query(HUGE).catch((err: unknown) => err);
        if ((e as { code?: string }).code === "57P01" && restarts === crash) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(restarts).toBe(MAX_RESTARTS);
    expect(fatal).toBeDefined();
    await disk.close();
  }, 180_000);
});
