import type { MonitoringReport } from "@jonquils/core/monitoring/monitor";
import { createAccessTokens } from "@jonquils/core/auth/tokens";
import { loadConfigOrExit } from "../config";
import { localJwtSecret } from "../secret";
import { runningServer, serverBaseUrl } from "../server-record";
import { createLocalRuntime } from "../wiring";

/**
 * `npm run monitor`: one monitoring run now. When a local server holds this DATA_DIR (PGlite
 * allows one process; see server-record.ts), the run is asked of it through
 * POST /api/v1/admin/monitoring/runs with an admin token signed by the local secret;
 * otherwise the database is opened here.
 */
const config = loadConfigOrExit();
const server = await runningServer(config.DATA_DIR);
const base = server
  ? serverBaseUrl(server)
  : `http://${config.HOST === "0.0.0.0" ? "127.0.0.1" : config.HOST}:${config.PORT}`;

async function viaServer(operatorId: string | undefined): Promise<MonitoringReport> {
  if (!operatorId)
    throw new Error(
      "the running server has no active admin account to act as: sign up, make the account an admin (npm run db:sql with the server stopped), and restart",
    );
  const secret = await localJwtSecret(config.DATA_DIR, config.JWT_SECRET);
  // The local operator: whoever can read DATA_DIR's secret may already sign any token. The
  // token names a real admin, because every request checks that its account is still active.
  const { token } = await createAccessTokens(secret, 120).issue({
    userId: operatorId,
    role: "admin",
  });
  const res = await fetch(`${base}/api/v1/admin/monitoring/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as MonitoringReport & { detail?: string };
  if (!res.ok) throw new Error(`${res.status}: ${body.detail ?? JSON.stringify(body)}`);
  return body;
}

async function inProcess(): Promise<MonitoringReport> {
  const runtime = await createLocalRuntime({ ...config, LOG_LEVEL: "warn" });
  try {
    return await runtime.monitoring.run("cli");
  } finally {
    await runtime.close();
  }
}

const up = server !== null;
const report = up ? await viaServer(server.operatorId) : await inProcess();
const mark = { ok: "ok   ", alert: "ALERT", skipped: "skip " } as const;
process.stdout.write(
  `Monitoring run ${report.runId} (${up ? `asked of the server at ${base}` : "in this process"}): ${report.status}, ${report.durationMs} ms\n`,
);
for (const c of report.checks)
  process.stdout.write(`  ${mark[c.status]} ${c.severity.padEnd(8)} ${c.title}\n`);
if (report.opened.length) process.stdout.write(`Opened: ${report.opened.join(", ")}\n`);
if (report.resolved.length) process.stdout.write(`Resolved: ${report.resolved.join(", ")}\n`);
if (report.error) process.stdout.write(`Error: ${report.error}\n`);
process.stdout.write(`Open alerts: GET ${base}/api/v1/admin/monitoring (admin)\n`);
process.exitCode = report.status === "failed" ? 1 : 0;
