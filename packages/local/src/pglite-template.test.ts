import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrationsFolder } from "@jonquils/core/db/migrations";
import { afterAll, describe, expect, it } from "vitest";
import { migratePglite, openPglite } from "./pglite";
import { isEmptyDataDir, loadTemplate, migrationsKey, pgliteTemplate } from "./pglite-template";

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), "jonquils-tpl-"));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("the migrated PGlite template a first start loads", () => {
  it("gives a fresh data folder every table, and later starts reopen it as usual", async () => {
    const file = await pgliteTemplate(await tempDir());
    const dataDir = join(await tempDir(), "pgdata");
    expect(isEmptyDataDir(dataDir)).toBe(true);
    const catalog = await openPglite({ dataDir, loadDataDir: await loadTemplate(file) });
    await migratePglite(catalog); // nothing left to apply
    const { rows } = await catalog.client.query<{ n: number }>(
      "select count(*)::int as n from genres",
    );
    expect(rows[0]?.n).toBeGreaterThan(10);
    await catalog.client.query(
      "insert into users (username, email, password_hash) values ('u', 'u@x.dev', 'x')",
    );
    await catalog.close();
    expect(isEmptyDataDir(dataDir)).toBe(false);

    const again = await openPglite({ dataDir });
    const users = await again.client.query<{ n: number }>("select count(*)::int as n from users");
    expect(users.rows[0]?.n).toBe(1);
    await again.close();
  });

  it("is keyed by the migrations: a new migration makes a new template", async () => {
    const copy = join(await tempDir(), "migrations");
    await cp(migrationsFolder, copy, { recursive: true });
    const before = await migrationsKey(copy);
    expect(await migrationsKey(copy)).toBe(before);
    await writeFile(join(copy, "9999_next.sql"), "select 1;");
    expect(await migrationsKey(copy)).not.toBe(before);
    expect(existsSync(copy)).toBe(true);
  });
});
