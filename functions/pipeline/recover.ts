// First: bound secrets (DATABASE_URL) into process.env before the configuration is read.
import "../secrets";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { recoverUploads, type RecoveryReport } from "@jonquils/core/upload/lifecycle";
import { metrics, withObservability } from "../observability";
import { recoveryAdapters } from "../runtime";
import { sfnExecutions, stepFunctionsRecovery } from "./step-functions-recovery";

/**
 * Objects younger than this are left to their own S3 → EventBridge event by the reconcile
 * sweep (EventBridge delivers within seconds; a re-drive on top would only end AlreadyHandled).
 */
export const RECONCILE_MIN_AGE_MS = 2 * 60_000;

/** The sweep starts nothing new this long before the Lambda's timeout (a DB write or an SDK call in flight ends). */
export const STOP_BEFORE_TIMEOUT_MS = 15_000;

/** The sweep did all it could, but some of it failed (each failure logged with its cause). */
export class RecoverySweepError extends Error {
  constructor(readonly report: RecoveryReport) {
    super(
      `upload recovery sweep: ${report.errors} error(s) (liveness questions, re-drives or steps); see the logs`,
    );
    this.name = "RecoverySweepError";
  }
}

// Built once per cold start by the Lambda composition root (../runtime.ts); a missing variable
// fails it naming the variable. Listing only: the role may list `u/` in the tracks bucket.
const { config, log, db, objects } = recoveryAdapters();
const recovery = stepFunctionsRecovery(
  sfnExecutions(config.INGEST_STATE_MACHINE_ARN, { region: config.AWS_REGION }),
  objects.bucketNames,
);

/**
 * The AWS twin of the local recovery sweep (packages/local/src/wiring.ts), run by an
 * EventBridge schedule (stacks/Pipeline.ts): pending tickets past expiry fail as expired;
 * processing uploads whose execution is not RUNNING are re-driven through StartExecution
 * with a deterministic name (bounded: MAX_ATTEMPTS executions an upload, then failed with a
 * reason); and the tracks bucket's `u/` objects are compared with etl.s3_file_registry so an
 * object whose event was lost is driven too (the seed's Extract).
 */
export const handler = withObservability(
  "pipeline-recover",
  async (event?: RecoverEvent, context?: Context): Promise<RecoveryReport> => {
    const report = await recoverUploads({ db, objects, log }, recovery.redrive, {
      isLive: recovery.isLive,
      reconcileMinAgeMs: reconcileMinAgeMs(event),
      ...(context
        ? { deadline: Date.now() + context.getRemainingTimeInMillis() - STOP_BEFORE_TIMEOUT_MS }
        : {}),
    });
    metrics.addMetric("UploadsExpired", MetricUnit.Count, report.expired);
    metrics.addMetric("UploadsRedriven", MetricUnit.Count, report.redriven + report.reconciled);
    metrics.addMetric("UploadsGivenUp", MetricUnit.Count, report.gaveUp);
    metrics.addMetric("RecoveryErrors", MetricUnit.Count, report.errors);
    log.info(report, "upload recovery sweep");
    // After all the work: a failed question or re-drive fails the invocation, so the
    // function's Errors metric (alarm pipeline-recover-errors) sees it.
    if (report.errors > 0) throw new RecoverySweepError(report);
    return report;
  },
);

/**
 * The schedule sends EventBridge's "Scheduled Event"; an operator may invoke the function
 * with `{"reconcileMinAgeSeconds": 0}` to reconcile objects stored moments ago too.
 */
export interface RecoverEvent {
  reconcileMinAgeSeconds?: unknown;
}

function reconcileMinAgeMs(event: RecoverEvent | undefined): number {
  const s = event?.reconcileMinAgeSeconds;
  return typeof s === "number" && Number.isInteger(s) && s >= 0 && s <= 86_400
    ? s * 1000
    : RECONCILE_MIN_AGE_MS;
}
