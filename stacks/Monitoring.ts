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

  const monitor = new Function(stack, "monitoring", {
    handler: "functions/monitoring.handler",
    ...data.inVpc,
    timeout: 120,
    memorySize: 512,
    environment: {
      ...bucketEnv,
      ...data.dbEnv,
      REDIS_URL: data.redisUrl,
      OPENSEARCH_URL: data.opensearchUrl,
      ALERTS_TOPIC_ARN: alerts.topicArn,
    },
    bind: [
      secrets.jwtSecret,
      secrets.dbPassword,
      secrets.clickhouseUrl,
      secrets.clickhousePassword,
    ],
    permissions: [
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
  for (const [state, fn] of Object.entries(pipeline.functions))
    alarm(`pipeline-${state.toLowerCase()}-errors`, errors(fn), `Pipeline step ${state} failed`);
  alarm(
    "ingest-failed",
    pipeline.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: "Sum" }),
    "An ingestion execution failed outside its Catch path",
  );
  alarm(
    "ingest-dlq-depth",
    depth(pipeline.deadLetters),
    "Upload events EventBridge could not deliver",
  );
  alarm("analytics-dlq-depth", depth(api.analyticsDlq), "Analytics events that failed 5 times");

  return { alerts, monitor, schedule };
}
