import { Stack } from "aws-cdk-lib";
import { NagSuppressions, type NagPackSuppression } from "cdk-nag";
import type { IConstruct } from "constructs";
import { readSettings } from "./settings";

/**
 * Every cdk-nag finding (AwsSolutions and Serverless packs, `npm run nag`) that is not fixed
 * in the stacks, suppressed with the reason beside it. What was fixed instead: CloudWatch may
 * publish to the alerts topic, OpenSearch takes IAM-signed requests only, PostgreSQL's
 * password is RDS-managed and rotated, TLS is verified, API access logs are JSON and kept a
 * month, the API role's bucket rights are least privilege, Valkey has a password user.
 *
 * Suppressions are per stack (SST names stacks `<stage>-jonquils-<Name>`) and, for IAM, per
 * finding (`appliesTo`), so a new wildcard or managed policy is still reported.
 */
const LAMBDA_MANAGED_POLICIES = [
  "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
  "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
];

/** For every stack: the functions of the app, of SST and of CDK. */
const EVERY_STACK: NagPackSuppression[] = [
  {
    id: "AwsSolutions-IAM4",
    reason:
      "AWSLambdaBasicExecutionRole (write own logs) and AWSLambdaVPCAccessExecutionRole (ENIs in the VPC) are the minimal AWS-maintained policies for Lambda; writing them out would only copy them.",
    appliesTo: LAMBDA_MANAGED_POLICIES,
  },
  {
    id: "AwsSolutions-IAM5",
    reason:
      "Object-level rights (s3:GetObject/PutObject) are necessarily on <bucket ARN>/* or a prefix of it (u/ upload targets, a/ verified copies, uploads/ thumbnails); SST's Script handler may invoke its own two functions' versions (<fn ARN>:*); the log-retention helper CDK adds edits log groups it creates (Resource *, logs:PutRetentionPolicy/DeleteRetentionPolicy only); BucketDeployment reads the CDK assets bucket and writes the SPA bucket.",
    appliesTo: [
      { regex: "/^Resource::<\\w+\\.Arn>\\/((u|a|uploads)\\/)?\\*$/g" },
      { regex: "/^Resource::<\\w+\\.Arn>:\\*$/g" },
      { regex: "/^Resource::\\*$/g" },
      { regex: "/^Resource::arn:<AWS::Partition>:s3:::cdk-\\w+-assets-[\\w-]+\\/\\*$/g" },
      { regex: "/^Action::s3:(GetObject|GetBucket|List|Abort|DeleteObject|PutObject)\\*$/g" },
    ],
  },
  {
    id: "AwsSolutions-L1",
    reason:
      "Our functions run nodejs22.x (the tested runtime; stacks.test.ts requires ≥ 22); the custom-resource handlers are SST's and CDK's own and their runtime is theirs to choose.",
  },
  {
    id: "Serverless-LambdaLatestVersion",
    reason:
      "As AwsSolutions-L1: nodejs22.x is deliberate and tested; custom-resource handlers are SST's and CDK's.",
  },
  {
    id: "Serverless-LambdaTracing",
    reason:
      "X-Ray is not used: Powertools structured logs and EMF metrics carry request ids and timings (docs/deploy.md), and X-Ray adds cost and cold-start time.",
  },
  {
    id: "Serverless-LambdaDLQ",
    reason:
      "No function is invoked asynchronously with events that could be lost: API (synchronous), step functions' tasks (Retry/Catch in the ASL), SQS consumer (queue redrive → DLQ), schedules (re-run on the next tick), custom resources (CloudFormation).",
  },
  {
    id: "Serverless-LambdaDefaultMemorySize",
    reason:
      "Only CDK's own custom-resource handlers (AwsCustomResource, BucketDeployment) keep their defaults.",
  },
];

const PER_STACK: Record<string, NagPackSuppression[]> = {
  Alerts: [
    {
      id: "AwsSolutions-SNS2",
      reason:
        "Alarm notifications carry no personal data; a topic with the AWS-managed SNS key cannot receive CloudWatch alarms, and a customer key costs for nothing here.",
    },
  ],
  Web: [
    {
      id: "AwsSolutions-CFR1",
      reason: "A music service for everyone: no geographic restriction.",
    },
    {
      id: "AwsSolutions-CFR2",
      reason:
        "WAF is a setting (JONQUILS_WEB_ACL_ARN: a CLOUDFRONT-scope web ACL in us-east-1), off by default for cost; the SPA is static files.",
    },
    {
      id: "AwsSolutions-CFR3",
      reason:
        "Static SPA files; standard access logs need an ACL-enabled log bucket, API requests are logged by API Gateway and the app.",
    },
    {
      id: "AwsSolutions-CFR4",
      reason:
        "With the default *.cloudfront.net certificate CloudFront always accepts TLS 1.0; set JONQUILS_DOMAIN and JONQUILS_CERTIFICATE_ARN and TLSv1.2_2021 is enforced (stacks/profiles.test.ts).",
    },
    {
      id: "AwsSolutions-S1",
      reason: "The SPA bucket is written only by the deploy and read only by CloudFront (OAC).",
    },
  ],
  Storage: [
    {
      id: "AwsSolutions-S1",
      reason:
        "Access to objects is by presigned URLs the API issues and logs; S3 server access logs would need a fifth bucket and double the requests logged. Enable with CloudTrail data events if required.",
    },
  ],
  Data: [
    {
      id: "AwsSolutions-VPC7",
      reason:
        "No flow logs by default (cost); the VPC holds only the app's functions and data services, none public.",
    },
    {
      id: "AwsSolutions-RDS11",
      reason:
        "The database is private, in isolated subnets, reachable from the functions' security group only; a non-default port adds nothing.",
    },
    {
      id: "AwsSolutions-SMG4",
      reason:
        "The Valkey password is generated and never leaves Secrets Manager; rotating it needs a rotation function updating the ElastiCache user (not built). The RDS password is RDS-managed and rotated.",
    },
    {
      id: "AwsSolutions-OS3",
      reason:
        "The domain is in the VPC (no public endpoint) and its policy requires IAM-signed requests of this account; IP allow-lists do not apply.",
    },
    {
      id: "AwsSolutions-OS4",
      reason:
        "One t3.small data node for a derived index (rebuilt from PostgreSQL by npm run search:reindex): dedicated masters would triple the cost.",
    },
    {
      id: "AwsSolutions-OS7",
      reason:
        "As OS4: one node; search falls back to degraded health, not data loss, if it is down.",
    },
    {
      id: "AwsSolutions-OS9",
      reason: "Slow logs are off by default (cost); the app logs search latency.",
    },
  ],
  Api: [
    {
      id: "AwsSolutions-APIG4",
      reason:
        "The app authorizes every route itself (JWT bearer tokens, roles); public routes are public by design.",
    },
    {
      id: "AwsSolutions-SQS3",
      reason: "analytics-dlq is the dead-letter queue of the analytics queue.",
    },
    {
      id: "Serverless-SQSRedrivePolicy",
      reason: "analytics-dlq is itself the dead-letter queue; nothing reads it automatically.",
    },
    {
      id: "Serverless-LambdaEventSourceMappingDestination",
      reason:
        "The analytics queue's redrive policy sends messages failing 5 times to analytics-dlq (alarmed).",
    },
    {
      id: "Serverless-EventBusDLQ",
      reason:
        "The analytics refresh schedule re-runs every 5 minutes; a missed tick is caught up by the next.",
    },
  ],
  Pipeline: [
    {
      id: "AwsSolutions-SQS3",
      reason: "ingest-dlq is the dead-letter queue of the EventBridge rule's target.",
    },
    {
      id: "Serverless-SQSRedrivePolicy",
      reason: "ingest-dlq is itself a dead-letter queue (alarmed on depth).",
    },
    {
      id: "AwsSolutions-SF1",
      reason:
        "ERROR-level execution logs, no execution data: the payloads name user files; etl.etl_jobs records every run.",
    },
    {
      id: "AwsSolutions-SF2",
      reason: "X-Ray is not used (see Serverless-LambdaTracing).",
    },
    {
      id: "Serverless-StepFunctionStateMachineXray",
      reason: "X-Ray is not used (see Serverless-LambdaTracing).",
    },
    {
      id: "Serverless-EventBusDLQ",
      reason:
        "The recovery schedule runs every 5 minutes; a missed run is followed by the next. (The object-created rule has its DLQ, asserted in stacks.test.ts.)",
    },
    {
      id: "AwsSolutions-IAM5",
      reason:
        "The recovery sweep asks whether an upload's execution still runs (states:DescribeExecution): execution names are chosen by EventBridge at run time, so the resource is every execution of the one ingest state machine.",
      appliesTo: [
        {
          regex:
            "/^Resource::arn:<AWS::Partition>:states:([\\w-]+|<AWS::Region>):(\\d{12}|<AWS::AccountId>):execution:<ingest\\w+\\.Name>:\\*$/g",
        },
      ],
    },
  ],
  Monitoring: [
    {
      id: "Serverless-EventBusDLQ",
      reason:
        "The monitoring schedule runs every 15 minutes; a missed run is followed by the next.",
    },
  ],
};

/** Applies the suppressions above to every stack of the app (call after the stacks exist). */
export function suppressNagFindings(app: IConstruct): void {
  const { protect, profile } = readSettings();
  for (const child of app.node.children) {
    if (!(child instanceof Stack)) continue;
    const name = child.stackName.split("-").pop()!;
    const extra: NagPackSuppression[] = [];
    if (name === "Data" && !protect)
      extra.push(
        {
          id: "AwsSolutions-RDS3",
          reason: "Single-AZ unless JONQUILS_PROTECT=true (a protected stage is Multi-AZ).",
        },
        {
          id: "AwsSolutions-RDS10",
          reason:
            "Deletion protection unless JONQUILS_PROTECT=true: an unprotected stage must be removable by sst remove.",
        },
      );
    if (name === "Data" && profile === "dev")
      extra.push(
        {
          id: "AwsSolutions-EC26",
          reason:
            "The dev profile's NAT instance: its root volume holds the stock Amazon Linux image and no data.",
        },
        {
          id: "AwsSolutions-EC28",
          reason:
            "The dev profile's NAT instance: basic monitoring is enough for a development stage (cost).",
        },
        {
          id: "AwsSolutions-EC29",
          reason:
            "The dev profile's NAT instance is disposable: CloudFormation recreates it, it keeps no state.",
        },
      );
    NagSuppressions.addStackSuppressions(child, [
      ...EVERY_STACK,
      ...(PER_STACK[name] ?? []),
      ...extra,
    ]);
  }
}
