import type { TestProject } from "vitest/node";
import postgres from "postgres";
import { randomBytes } from "node:crypto";
import { migratePostgres } from "@jonquils/core/db/postgres";
import { pgliteTemplate } from "../pglite-template";

/** Names unique to this run, so two runs against one server never touch each other's databases. */
const RUN_ID = randomBytes(4).toString("hex");
const PG_TEMPLATE_DB = `jq_tpl_${RUN_ID}`;

/**
 * Once per run: a migrated PGlite data dir dumped to a file (each test file loads
 * it instead of running initdb), and, when DATABASE_URL is set, a migrated
 * template database on the server that each test file clones.
 */
export default async function setup(project: TestProject) {
  // The same migrated template `npm start` uses (made once per set of migrations).
  project.provide("pgliteTemplate", await pgliteTemplate());

  const url = process.env["DATABASE_URL"];
  project.provide("postgresTemplateUrl", url ? await preparePostgresTemplate(url) : "");
  project.provide("runId", RUN_ID);
  if (!url) {
    console.info(
      "\n[jonquils] PostgreSQL server cases skipped: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them.",
    );
  }
  if (!process.env["REDIS_URL"]) {
    console.info(
      "[jonquils] Redis server cases skipped: set REDIS_URL=redis://127.0.0.1:6379 to run them.\n",
    );
  }

  return async () => {
    if (url) {
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      // Files drop their own databases; this catches any left by a crashed worker, and the template.
      const stale = await admin<
        { datname: string }[]
      >`select datname from pg_database where datname like ${`jq_test_${RUN_ID}_%`} or datname = ${PG_TEMPLATE_DB}`;
      for (const { datname } of stale)
        await admin.unsafe(`drop database if exists "${datname}" with (force)`);
      await admin.end();
    }
  };
}

async function preparePostgresTemplate(url: string): Promise<string> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${PG_TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const templateUrl = withDatabase(url, PG_TEMPLATE_DB);
  await migratePostgres(templateUrl);
  return templateUrl;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplateUrl: string;
    runId: string;
  }
}
