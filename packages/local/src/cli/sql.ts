import { sql } from "drizzle-orm";
import { loadConfigOrExit } from "../config";
import { runningServer, serverBaseUrl } from "../server-record";
import { openLocalCatalog } from "../wiring";

/**
 * `npm run db:sql -- "<statement>"`: one SQL statement against the local catalog (PGlite, or
 * DATABASE_URL), rows printed as a table — the psql of the embedded database, for operators
 * and for trying the monitoring checks on a deliberately broken record.
 */
const config = loadConfigOrExit();
const statement = process.argv.slice(2).join(" ").trim();
if (!statement) {
  process.stderr.write(
    'usage: npm run db:sql -- "select title, duration_ms from tracks limit 5"\n',
  );
  process.exit(2);
}

if (!config.DATABASE_URL) {
  // PGlite is one process's database: opening it while `npm start` runs would corrupt it.
  const server = await runningServer(config.DATA_DIR);
  if (server) {
    process.stderr.write(
      `JONQUILS runs on ${config.DATA_DIR} (pid ${server.pid}, ${serverBaseUrl(server)}): stop \`npm start\` first (the embedded database allows one process).\n`,
    );
    process.exit(1);
  }
}

const catalog = await openLocalCatalog({ ...config, LOG_LEVEL: "warn" });
try {
  const result: unknown = await catalog.db.execute(sql.raw(statement));
  // postgres.js answers an array of rows; PGlite an object with `rows` and `affectedRows`.
  const rows = Array.isArray(result)
    ? (result as Record<string, unknown>[])
    : ((result as { rows?: Record<string, unknown>[] }).rows ?? []);
  const affected = Array.isArray(result)
    ? (result as { count?: number }).count
    : (result as { affectedRows?: number }).affectedRows;
  if (rows.length > 0) console.table(rows);
  process.stdout.write(`${rows.length} row(s)${affected ? `, ${affected} affected` : ""}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await catalog.close();
}
