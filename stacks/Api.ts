import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Function, Api as HttpApi, use, type StackContext } from "sst/constructs";
import { Alerts } from "./Alerts";
import { Data } from "./Data";
import { Secrets } from "./Secrets";
import { RESERVED_CONCURRENCY, secretAccess, withPermissions } from "./lambda";
import { Storage } from "./Storage";
import { Web } from "./Web";

/** Seconds the analytics consumer may take on one batch (the queue hides a batch 6× as long). */
const CONSUMER_TIMEOUT = 60;
/** How often track popularity and the data_warehouse aggregates are refreshed from ClickHouse. */
export const ANALYTICS_REFRESH_SCHEDULE = "rate(5 minutes)";

/**
 * The HTTP API: API Gateway (HTTP API, payload v2, throttled) → one Lambda running the Hono
 * app, in the VPC beside PostgreSQL, Valkey and OpenSearch. Request analytics leave the API
 * through an SQS queue; a consumer Lambda writes them to ClickHouse in batches, reporting
 * partial batch failures so only the failed messages come back (then to a dead-letter queue).
 */
export function Api({ stack }: StackContext) {
  const { buckets, bucketEnv } = use(Storage);
  const data = use(Data);
  const secrets = use(Secrets);
  const web = use(Web);
  const alerts = use(Alerts).topic;

  const analyticsDlq = new sqs.Queue(stack, "analytics-dlq", {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  const analyticsQueue = new sqs.Queue(stack, "analytics", {
    visibilityTimeout: Duration.seconds(CONSUMER_TIMEOUT * 6),
    retentionPeriod: Duration.days(4),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    deadLetterQueue: { queue: analyticsDlq, maxReceiveCount: 5 },
  });

  const apiSecrets = secretAccess([
    secrets.jwtSecret,
    secrets.clickhouseUrl,
    secrets.clickhousePassword,
  ]);
  const api = new HttpApi(stack, "api", {
    // No API Gateway CORS: it would answer preflights itself with `*` and replace the app's
    // headers. The app's CORS (CORS_ORIGINS, exposed RateLimit-* headers) answers instead.
    cors: false,
    // JSON access logs, kept a month (not for ever).
    accessLog: {
      retention: "one_month",
      format: JSON.stringify({
        requestId: "$context.requestId",
        ip: "$context.identity.sourceIp",
        time: "$context.requestTime",
        method: "$context.httpMethod",
        path: "$context.path",
        status: "$context.status",
        bytes: "$context.responseLength",
        latencyMs: "$context.responseLatency",
        integrationError: "$context.integrationErrorMessage",
      }),
    },
    defaults: {
      throttle: { rate: 500, burst: 1000 },
      function: {
        ...data.inVpc,
        timeout: 10,
        memorySize: 1024,
        // With a pool of 2 (functions/runtime.ts), at most 2 × this many PostgreSQL connections.
        reservedConcurrentExecutions: RESERVED_CONCURRENCY.api,
        environment: {
          ...bucketEnv,
          ...data.serviceEnv,
          ANALYTICS_QUEUE_URL: analyticsQueue.queueUrl,
          CORS_ORIGINS: web.url,
          // An admin's monitoring run (POST /admin/monitoring/runs) publishes what it opens.
          ALERTS_TOPIC_ARN: alerts.topicArn,
          // Subsonic app passwords are sealed under this KMS key (not a key file).
          ...secrets.appPasswordKeyAccess.environment,
        },
        bind: apiSecrets.bind,
        permissions: [
          ...apiSecrets.permissions!,
          ...data.dataSecretsAccess,
          // Encrypt/Decrypt/GenerateDataKey on the app-password key, nothing else of KMS.
          ...secrets.appPasswordKeyAccess.permissions,
          // Search and suggest (POST _search), counts and health (GET), its index's alias
          // (HEAD) and creation on first use (PUT), document writes (POST _bulk). No DELETE:
          // only a reindex (`npm run search:reindex`, an operator's credentials) drops indices.
          ...data.searchAccess("Get", "Head", "Post", "Put"),
          // Least privilege on the buckets: presigned uploads (tracks, under u/) and playlist
          // exports are written; tracks, covers and exports are read (presigned downloads);
          // tracks is listed (health probe, admin monitoring runs). Nothing is deleted, temp
          // is not touched.
          new iam.PolicyStatement({
            actions: ["s3:PutObject"],
            resources: [`${buckets.tracks.bucketArn}/u/*`, `${buckets.playlists.bucketArn}/*`],
          }),
          new iam.PolicyStatement({
            actions: ["s3:GetObject"],
            resources: (["tracks", "covers", "playlists"] as const).map(
              (name) => `${buckets[name].bucketArn}/*`,
            ),
          }),
          new iam.PolicyStatement({
            actions: ["s3:ListBucket"],
            resources: [buckets.tracks.bucketArn],
          }),
        ],
      },
    },
    routes: {
      $default: "functions/api.handler",
    },
  });
  const apiFunction = api.getFunction("$default");
  if (!apiFunction) throw new Error("Api: the $default route has no function");
  analyticsQueue.grantSendMessages(apiFunction);
  alerts.grantPublish(apiFunction);

  // Outside the VPC: it only reads SQS and writes to ClickHouse over HTTPS.
  const analyticsConsumer = new Function(stack, "analytics-consumer", {
    handler: "functions/analytics-consumer.handler",
    timeout: CONSUMER_TIMEOUT,
    memorySize: 512,
    ...secretAccess([secrets.clickhouseUrl, secrets.clickhousePassword]),
  });
  analyticsConsumer.addEventSource(
    new SqsEventSource(analyticsQueue, {
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(10),
      reportBatchItemFailures: true,
      maxConcurrency: 5,
    }),
  );

  // Popularity and daily aggregates from the ClickHouse rollups into PostgreSQL, then cache
  // invalidation: in the VPC (PostgreSQL, Valkey), ClickHouse through the NAT gateway.
  const analyticsRefresh = new Function(stack, "analytics-refresh", {
    handler: "functions/analytics-refresh.handler",
    ...data.inVpc,
    timeout: 120,
    memorySize: 512,
    reservedConcurrentExecutions: RESERVED_CONCURRENCY.scheduled,
    environment: { ...bucketEnv, ...data.serviceEnv },
    ...withPermissions(
      secretAccess([secrets.jwtSecret, secrets.clickhouseUrl, secrets.clickhousePassword]),
      // Popularity changes and the outbox's search events it delivers rewrite documents (HEAD
      // alias, PUT index if missing, POST _bulk); no GET, no DELETE.
      [...data.dataSecretsAccess, ...data.searchAccess("Head", "Post", "Put")],
    ),
  });
  new events.Rule(stack, "analytics-refresh-schedule", {
    description: "JONQUILS analytics → catalog popularity and warehouse aggregates",
    schedule: events.Schedule.expression(ANALYTICS_REFRESH_SCHEDULE),
    targets: [new targets.LambdaFunction(analyticsRefresh, { retryAttempts: 0 })],
  });

  stack.addOutputs({ ApiUrl: api.url, AnalyticsQueueUrl: analyticsQueue.queueUrl });
  return { api, apiFunction, analyticsQueue, analyticsDlq, analyticsConsumer, analyticsRefresh };
}
