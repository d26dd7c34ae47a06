import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Function, use, type StackContext } from "sst/constructs";
import { Alerts } from "./Alerts";
import { Api } from "./Api";
import { Data } from "./Data";
import { RESERVED_CONCURRENCY, secretAccess } from "./lambda";
import { Pipeline } from "./Pipeline";
import { Secrets } from "./Secrets";
import { BUCKETS, Storage } from "./Storage";

export const MONITORING_SCHEDULE = "rate(15 minutes)";

/**
 * Monitoring: an EventBridge schedule runs the monitoring Lambda (health, data quality,
 * pipeline and route checks; its own alerts go to SNS), and CloudWatch alarms watch what
 * must never fail silently: function errors, failed executions, dead-letter queues.
 * Subscribe to the topic (e-mail, chat) after deploying: `AlertsTopicArn` in the outputs.
 */
export function Monitoring({ stack }: StackContext) {
  const { buckets, bucketEnv } = use(Storage);
  const data = use(Data);
  const secrets = use(Secrets);
  const pipeline = use(Pipeline);
  const api = use(Api);

  const alerts = use(Alerts).topic;

  const monitorSecrets = secretAccess([
    secrets.jwtSecret,
    secrets.clickhouseUrl,
    secrets.clickhousePassword,
  ]);
  const monitor = new Function(stack, "monitoring", {
    handler: "functions/monitoring.handler",
    ...data.inVpc,
    timeout: 120,
    memorySize: 512,
    reservedConcurrentExecutions: RESERVED_CONCURRENCY.scheduled,
    environment: { ...bucketEnv, ...data.serviceEnv, ALERTS_TOPIC_ARN: alerts.topicArn },
    bind: monitorSecrets.bind,
    permissions: [
      ...monitorSecrets.permissions!,
      ...data.dataSecretsAccess,
      // The search drift check counts documents (HEAD alias, GET _count); it never writes.
      ...data.searchAccess("Get", "Head"),
      // Orphan and health checks list and look at objects; they never change them.
      new iam.PolicyStatement({
        actions: ["s3:ListBucket"],
        resources: BUCKETS.map((name) => buckets[name].bucketArn),
      }),
      new iam.PolicyStatement({
        actions: ["s3:GetObject"],
        resources: BUCKETS.map((name) => `${buckets[name].bucketArn}/*`),
      }),
    ],
  });
  alerts.grantPublish(monitor);

  const schedule = new events.Rule(stack, "schedule", {
    description: "JONQUILS monitoring run",
    schedule: events.Schedule.expression(MONITORING_SCHEDULE),
    targets: [new targets.LambdaFunction(monitor, { retryAttempts: 0 })],
  });

  const notify = new actions.SnsAction(alerts);
  const alarm = (id: string, metric: cloudwatch.IMetric, description: string, threshold = 1) => {
    const a = new cloudwatch.Alarm(stack, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    a.addAlarmAction(notify);
    return a;
  };
  const errors = (fn: Function) =>
    fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" });
  const depth = (queue: sqs.IQueue) =>
    queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: "Maximum",
    });

  alarm("api-errors", errors(api.apiFunction), "The API Lambda crashed (unhandled error)");
  // Handled errors become 500 responses, not Lambda errors: API Gateway counts those.
  const serverErrors = api.api.cdk.httpApi.metricServerError({
    period: Duration.minutes(5),
    statistic: "Sum",
  });
  alarm("api-5xx", serverErrors, "The API answered 5xx", 5);
  alarm(
    "analytics-consumer-errors",
    errors(api.analyticsConsumer),
    "The analytics consumer failed",
  );
  alarm("analytics-refresh-errors", errors(api.analyticsRefresh), "The analytics refresh failed");
  alarm("monitoring-errors", errors(monitor), "A monitoring run failed");
  // Pipeline faults, not bad files: a step's Lambda errors include typed user errors
  // (UnreadableAudioError) and transient errors a Retry absorbs, so they are not alarmed.
  // A rejected file ends in a succeeded execution (the ASL's Rejected state); what fails an
  // execution, or times it out, is a fault. MarkFailed itself must never fail.
  alarm(
    "pipeline-markfailed-errors",
    errors(pipeline.functions.MarkFailed),
    "Pipeline step MarkFailed failed: an upload may stay 'processing'",
  );
  alarm(
    "ingest-failed",
    pipeline.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: "Sum" }),
    "An ingestion execution failed (a fault; rejected files succeed)",
  );
  alarm(
    "ingest-timed-out",
    pipeline.stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: "Sum" }),
    "An ingestion execution timed out: MarkFailed never ran; the recovery sweep re-drives the upload",
  );
  alarm(
    "pipeline-recover-errors",
    errors(pipeline.recover),
    "The upload recovery sweep failed: expired tickets, dead runs and lost events wait for the next run",
  );
  alarm(
    "ingest-dlq-depth",
    depth(pipeline.deadLetters),
    "Upload events EventBridge could not deliver",
  );
  alarm("analytics-dlq-depth", depth(api.analyticsDlq), "Analytics events that failed 5 times");

  return { alerts, monitor, schedule };
}
