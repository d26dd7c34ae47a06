import { hasPostgres } from "@jonquils/local/testing/harness";
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const SERVER = process.env["DATABASE_URL"] ?? "";

/** The deploy-time migration Lambda, on an empty database, with the SQL copied as the stack copies it. */
describe.skipIf(!hasPostgres())("functions/migrate.ts (PostgreSQL)", () => {
  const name = `jq_migrate_${randomBytes(5).toString("hex")}`;
  let url: string;
  let bundleDir: string;
  beforeAll(async () => {
    const admin = postgres(SERVER, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    const u = new URL(SERVER);
    u.pathname = `/${name}`;
    url = u.toString();
    // The Lambda's task root: the bundle with migrations/ beside it (Script copyFiles).
    bundleDir = await mkdtemp(join(tmpdir(), "jq-migrate-"));
    await cp(
      new URL("../packages/core/migrations", import.meta.url),
      join(bundleDir, "migrations"),
      {
        recursive: true,
      },
    );
    vi.stubEnv("DATABASE_URL", url);
    vi.stubEnv("LAMBDA_TASK_ROOT", bundleDir);
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(bundleDir, { recursive: true, force: true });
    const admin = postgres(SERVER, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it("creates every schema on an empty database and is a no-op the second time", async () => {
    const { handler } = await import("./migrate");
    expect(await handler({})).toEqual({ applied: true, folder: join(bundleDir, "migrations") });
    const db = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const tables = await db<{ t: string }[]>`
        select table_schema || '.' || table_name as t from information_schema.tables
        where table_schema in ('public','etl','staging','data_warehouse','monitoring')`;
      expect(tables.map((r) => r.t)).toEqual(
        expect.arrayContaining([
          "public.tracks",
          "public.search_documents",
          "etl.etl_jobs",
          "staging.track_uploads",
          "monitoring.alerts",
        ]),
      );
      const count = async () =>
        (await db<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`)[0]!
          .n;
      const before = await count();
      expect(before).toBeGreaterThan(0);
      await handler({});
      expect(await count()).toBe(before);
    } finally {
      await db.end();
    }
  });
});
