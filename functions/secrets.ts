import { Config } from "sst/node/config";

/**
 * Secrets at cold start, before any configuration is parsed. In AWS the stacks bind SST
 * secrets (SSM SecureString) to the functions; `sst/node/config` fetches the bound ones with
 * one GetParameters call (top-level await) and this module copies them into process.env under
 * the names packages/core/src/config.ts reads. DATABASE_URL is assembled from the instance's
 * address (DATABASE_HOST/PORT/NAME/USER, set by the Data stack) and the DB_PASSWORD secret.
 * Outside AWS nothing is bound and this does nothing: env vars already set always win.
 */
const bound = Config as unknown as Record<string, string | undefined>;
const secret = (name: string) => (name in bound ? bound[name] : undefined);

for (const name of ["JWT_SECRET", "CLICKHOUSE_URL", "CLICKHOUSE_PASSWORD"]) {
  const value = secret(name);
  if (value !== undefined && !process.env[name]) process.env[name] = value;
}

const password = secret("DB_PASSWORD");
const {
  DATABASE_HOST: host,
  DATABASE_PORT: port,
  DATABASE_NAME: db,
  DATABASE_USER: user,
} = process.env;
if (!process.env["DATABASE_URL"] && host && user && db && password !== undefined) {
  // RDS enforces TLS (rds.force_ssl); postgres.js reads sslmode from the URL.
  process.env["DATABASE_URL"] =
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port ?? "5432"}/${encodeURIComponent(db)}?sslmode=require`;
}
