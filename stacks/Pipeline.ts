import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { TASKS, type TaskName } from "@jonquils/pipeline/definition";
import { ArnFormat, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Function, use, type FunctionProps, type StackContext } from "sst/constructs";
import { Data } from "./Data";
import { NODEJS_BUNDLING, RESERVED_CONCURRENCY, TRANSFORM_EXTERNAL } from "./lambda";
import { sharpLayer } from "./sharp-layer";
import { Storage } from "./Storage";

/** The one ASL file; the local executor runs the same text (packages/pipeline/src/definition.ts). */
export const ASL_PATH = "packages/pipeline/src/asl/ingest.asl.json";
/** Only uploads (`u/<user>/…`) are ingested, as `shouldIngest` does locally. */
export const INGEST_PREFIX = "u/";
/**
 * The recovery sweep (functions/pipeline/recover.ts): expired tickets, dead runs and the
 * reconcile of `u/` against etl.s3_file_registry, all in one run every 5 minutes — more often
 * than the hour the seed asks of the reconcile because `u/` holds only uploads in flight or
 * failed (Aggregate deletes the target), so one LIST per run costs next to nothing, and a
 * lost event then waits minutes, not an hour.
 */
export const RECOVERY_SCHEDULE = "rate(5 minutes)";

/**
 * The ingestion pipeline: S3 "Object Created" in the tracks bucket (uploads only) → EventBridge
 * → Step Functions running the shared ASL with the step Lambdas' ARNs substituted. Events the
 * rule cannot deliver land in a dead-letter queue.
 */
export function Pipeline({ stack }: StackContext) {
  const { buckets, bucketEnv } = use(Storage);
  const data = use(Data);

  const common: FunctionProps = {
    ...data.inVpc,
    timeout: 30,
    memorySize: 512,
    // A pool of 1 each (functions/runtime.ts): bounded PostgreSQL connections.
    reservedConcurrentExecutions: RESERVED_CONCURRENCY.pipelineStep,
    environment: { ...bucketEnv, ...data.serviceEnv },
    permissions: data.dataSecretsAccess,
  };
  const step = (id: string, handler: string, props: FunctionProps = {}) =>
    new Function(stack, id, { ...common, ...props, handler, environment: common.environment });

  const functions: Record<TaskName, Function> = {
    // Extract claims the object by name (database only); it never reads the bytes.
    Extract: step("extract", "functions/pipeline/extract.handler"),
    // Decoding and thumbnails: more memory (and so CPU); sharp comes from a layer built for
    // x86_64, so this one function runs on x86_64.
    Transform: step("transform", "functions/pipeline/transform.handler", {
      timeout: 300,
      memorySize: 2048,
      architecture: "x86_64",
      layers: [sharpLayer(stack, "sharp")],
      nodejs: {
        ...NODEJS_BUNDLING,
        esbuild: { ...NODEJS_BUNDLING.esbuild, external: TRANSFORM_EXTERNAL },
      },
      permissions: [
        ...data.dataSecretsAccess,
        readObjects(buckets.tracks.bucketArn),
        // Thumbnails, and the verified copy the track plays (`a/…`, no signed form targets it).
        new iam.PolicyStatement({
          actions: ["s3:PutObject"],
          resources: [`${buckets.covers.bucketArn}/uploads/*`, `${buckets.tracks.bucketArn}/a/*`],
        }),
      ],
    }),
    // A replacement (core/upload/replace.ts) removes the track's previous copy and the
    // thumbnails its upload no longer uses, after the commit.
    Load: step("load", "functions/pipeline/load.handler", {
      permissions: [
        ...data.dataSecretsAccess,
        new iam.PolicyStatement({
          actions: ["s3:DeleteObject"],
          resources: [`${buckets.tracks.bucketArn}/a/*`, `${buckets.covers.bucketArn}/uploads/*`],
        }),
      ],
    }),
    // The only step that writes search documents (HEAD alias, PUT index if missing, POST _bulk).
    Index: step("index", "functions/pipeline/index.handler", {
      permissions: [...data.dataSecretsAccess, ...data.searchAccess("Head", "Post", "Put")],
    }),
    // Removes the upload target (`u/…`) once the track plays its verified copy.
    Aggregate: step("aggregate", "functions/pipeline/aggregate.handler", {
      // It retrains the genre model when the catalog has grown (steps/genre.ts): model
      // selection cross-validates ~40 candidates on at most 300 examples, ~10 s of one full
      // core; 1,769 MB is one vCPU (512 MB would be a third of one, past the 30 s limit).
      memorySize: 1769,
      permissions: [
        ...data.dataSecretsAccess,
        new iam.PolicyStatement({
          actions: ["s3:DeleteObject"],
          resources: [`${buckets.tracks.bucketArn}/u/*`],
        }),
      ],
    }),
    MarkFailed: step("mark-failed", "functions/pipeline/mark-failed.handler"),
  };

  const substitutions = Object.fromEntries(
    (Object.entries(TASKS) as [TaskName, string][]).map(([state, placeholder]) => [
      placeholder,
      functions[state].functionArn,
    ]),
  );
  const stateMachine = new sfn.StateMachine(stack, "ingest", {
    stateMachineType: sfn.StateMachineType.STANDARD,
    // fromString keeps the definition in the template (fromFile would make it an asset).
    definitionBody: sfn.DefinitionBody.fromString(readFileSync(resolve(ASL_PATH), "utf8")),
    definitionSubstitutions: substitutions,
    logs: {
      destination: new logs.LogGroup(stack, "ingest-logs", {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      level: sfn.LogLevel.ERROR,
      includeExecutionData: false,
    },
  });
  for (const fn of Object.values(functions)) fn.grantInvoke(stateMachine);

  const deadLetters = new sqs.Queue(stack, "ingest-dlq", {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  const objectCreated = new events.Rule(stack, "object-created", {
    description: "Object Created in tracks (uploads under u/) → ingest state machine",
    eventPattern: {
      source: ["aws.s3"],
      detailType: ["Object Created"],
      detail: {
        bucket: { name: [buckets.tracks.bucketName] },
        object: { key: events.Match.prefix(INGEST_PREFIX) },
      },
    },
    targets: [
      new targets.SfnStateMachine(stateMachine, {
        deadLetterQueue: deadLetters,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      }),
    ],
  });

  // Recovery: re-drives what no execution carries any more. Least privilege: start this
  // state machine, describe its executions, list the upload targets (u/) — no object reads:
  // "is the file there" is a listing too (functions/pipeline/list-only-store.ts).
  const executions = Stack.of(stateMachine).formatArn({
    service: "states",
    resource: "execution",
    resourceName: `${stateMachine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const recover = new Function(stack, "recover", {
    ...common,
    handler: "functions/pipeline/recover.handler",
    timeout: 120,
    // One sweep at a time: runs never overlap, and one PostgreSQL connection.
    reservedConcurrentExecutions: RESERVED_CONCURRENCY.scheduled,
    environment: { ...common.environment, INGEST_STATE_MACHINE_ARN: stateMachine.stateMachineArn },
    permissions: [
      ...data.dataSecretsAccess,
      new iam.PolicyStatement({
        actions: ["states:StartExecution"],
        resources: [stateMachine.stateMachineArn],
      }),
      new iam.PolicyStatement({ actions: ["states:DescribeExecution"], resources: [executions] }),
      new iam.PolicyStatement({
        actions: ["s3:ListBucket"],
        resources: [buckets.tracks.bucketArn],
        conditions: { StringLike: { "s3:prefix": [`${INGEST_PREFIX}*`] } },
      }),
    ],
  });
  const recovery = new events.Rule(stack, "recovery", {
    description:
      "Upload recovery sweep: expired tickets, dead runs re-driven, lost events reconciled",
    schedule: events.Schedule.expression(RECOVERY_SCHEDULE),
    targets: [new targets.LambdaFunction(recover, { retryAttempts: 0 })],
  });

  stack.addOutputs({ StateMachineArn: stateMachine.stateMachineArn });
  return { functions, stateMachine, deadLetters, objectCreated, recover, recovery };
}

function readObjects(bucketArn: string) {
  return new iam.PolicyStatement({ actions: ["s3:GetObject"], resources: [`${bucketArn}/*`] });
}
