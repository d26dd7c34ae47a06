// First: bound secrets into process.env before any configuration is read.
import "./secrets";
import { assembleRuntime, createLogger, loadConfig } from "@jonquils/core";
import { connectPostgres } from "@jonquils/core/db/postgres";
import type { MonitoringReport } from "@jonquils/core/monitoring/monitor";
import { createS3ObjectStoreFromConfig } from "@jonquils/core/storage/s3-config";
import { withObservability } from "./observability";

/**
 * The monitoring Lambda, invoked by the EventBridge schedule rate(15 minutes): every
 * adapter's health, data quality, pipeline and route performance; new alerts go to the SNS
 * topic in ALERTS_TOPIC_ARN and every run is stored for GET /api/v1/admin/monitoring.
 */
const config = loadConfig();
if (!config.DATABASE_URL) throw new Error("DATABASE_URL: required in the Lambda wiring");
if (!config.JWT_SECRET) throw new Error("JWT_SECRET: required in the Lambda wiring");
const objects = createS3ObjectStoreFromConfig(config);
if (!objects) throw new Error("S3_BUCKET_*: required in the Lambda wiring");

const runtime = assembleRuntime(
  config,
  connectPostgres(config.DATABASE_URL, { max: 2 }),
  config.JWT_SECRET,
  createLogger(config.LOG_LEVEL, { fn: "monitoring" }),
  objects,
);

async function run(): Promise<Pick<MonitoringReport, "runId" | "status" | "opened" | "resolved">> {
  const report = await runtime.monitoring.run("lambda");
  // A failed run fails the invocation, so the CloudWatch errors alarm sees it.
  if (report.status === "failed") throw new Error(`monitoring run failed: ${report.error}`);
  return {
    runId: report.runId,
    status: report.status,
    opened: report.opened,
    resolved: report.resolved,
  };
}

export const handler = withObservability("monitoring", run);
