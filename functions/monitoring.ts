// First: bound secrets into process.env before any configuration is read.
import "./secrets";
import type { MonitoringReport } from "@jonquils/core/monitoring/monitor";
import { withObservability } from "./observability";
import { serverRuntime } from "./runtime";

/**
 * The monitoring Lambda, invoked by the EventBridge schedule rate(15 minutes): every
 * adapter's health, data quality, pipeline and route performance; new alerts go to the SNS
 * topic in ALERTS_TOPIC_ARN and every run is stored for GET /api/v1/admin/monitoring.
 */
const runtime = serverRuntime("monitoring");

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
