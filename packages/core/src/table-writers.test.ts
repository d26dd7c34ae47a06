import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * One owner per table (issue 18): a table is written (insert, update, delete — drizzle calls
 * or raw SQL) only by its domain module, the folder of its `<domain>.sql.ts`, or the one module
 * named in OWNERS below. The few writers that still sit elsewhere are listed, each with why, in
 * OTHER_WRITERS: a new writer outside the owner fails this test, and so does an entry that no
 * longer writes (remove it when it moves). Production code only: tests, test harnesses,
 * benches and evaluation scripts may write fixtures directly.
 */

const ROOT = join(import.meta.dirname, "../../..");

/** Tables whose owner is not (only) the folder of their `.sql.ts`. */
const OWNERS: Record<string, string> = {
  // The upload lifecycle owns the ETL run and registry tables (docs/architecture/ingestion.md).
  etlJobs: "packages/core/src/upload/lifecycle.ts",
  s3FileRegistry: "packages/core/src/upload/lifecycle.ts",
  // The warehouse tables are rewritten by the analytics refresh only.
  dailyTrackStats: "packages/core/src/analytics/",
  dailyArtistStats: "packages/core/src/analytics/",
  dailyPlatformStats: "packages/core/src/analytics/",
  // Accounts: registration, sign-in state, password change and deletion.
  users: "packages/core/src/auth/",
};

/** Known writers outside a table's owner, as `table ← file (what)`: debt, kept visible. */
const OTHER_WRITERS: string[] = [
  // The local demo seed (npm start with SEED_DEMO) writes its accounts and clips directly.
  "tracks ← packages/local/src/demo-audio.ts",
  "tracks ← packages/local/src/seed-demo.ts",
  "users ← packages/local/src/seed-demo.ts",
];

interface Table {
  ident: string;
  sqlName: string;
  owner: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith(".ts")) out.push(relative(ROOT, path));
  }
  return out;
}

function tables(): Table[] {
  const found: Table[] = [];
  const core = join(ROOT, "packages/core/src");
  for (const domain of readdirSync(core)) {
    const dir = join(core, domain);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql.ts"))) {
      const text = readFileSync(join(dir, file), "utf8");
      for (const m of text.matchAll(/export const (\w+) = (?:pgTable|\w+\.table)\(\s*"(\w+)"/g)) {
        const ident = m[1]!;
        found.push({
          ident,
          sqlName: m[2]!,
          owner: OWNERS[ident] ?? `packages/core/src/${domain}/`,
        });
      }
    }
  }
  return found;
}

const isProduction = (file: string) =>
  !/\.test\.tsx?$/.test(file) &&
  !/\/(testing|bench|eval|fixtures)\//.test(file) &&
  !file.startsWith("packages/core/migrations");

function writersOutsideOwners(): string[] {
  const all = tables();
  const byIdent = new Map(all.map((t) => [t.ident, t]));
  const bySql = new Map(all.map((t) => [t.sqlName, t]));
  const files = ["packages", "functions", "scripts"]
    .flatMap((d) => walk(join(ROOT, d)))
    .filter((f) => /^packages\/[^/]+\/src\//.test(f) || !f.startsWith("packages/"))
    .filter(isProduction);
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), "utf8");
    const hit = (t: Table | undefined) => {
      if (t && !file.startsWith(t.owner)) found.add(`${t.ident} ← ${file}`);
    };
    // drizzle: db.insert(tracks), tx.update(schema.users), .delete(Q.x)
    for (const m of text.matchAll(/\.(?:insert|update|delete)\(\s*(?:\w+\.)?(\w+)\s*\)/g))
      hit(byIdent.get(m[1]!));
    // raw SQL: insert into x, update x set, delete from x (optionally schema-qualified)
    for (const m of text.matchAll(
      /\b(?:insert\s+into|update|delete\s+from)\s+(?:"?\w+"?\.)?"?(\w+)"?(?=[\s(,;`])/gi,
    ))
      hit(bySql.get(m[1]!));
  }
  return [...found].sort();
}

describe("one owner per table", () => {
  it("finds the tables (the scan reads the schema modules)", () => {
    const names = tables().map((t) => t.ident);
    expect(names).toEqual(expect.arrayContaining(["tracks", "users", "trackUploads", "playlists"]));
    expect(names.length).toBeGreaterThan(25);
  });

  it("no table is written outside its owner, except the listed writers", () => {
    expect(writersOutsideOwners()).toEqual([...OTHER_WRITERS].sort());
  });
});
