import * as iam from "aws-cdk-lib/aws-iam";
import * as sns from "aws-cdk-lib/aws-sns";
import type { StackContext } from "sst/constructs";

/**
 * The alerts topic, on its own ahead of the stacks that publish to it: the monitoring Lambda
 * (scheduled runs), the API (runs an admin starts from /api/v1/admin/monitoring/runs) and the
 * CloudWatch alarms. Subscribe to it (e-mail, chat) after deploying: `AlertsTopicArn`.
 */
export function Alerts({ stack }: StackContext) {
  const topic = new sns.Topic(stack, "alerts", { displayName: "JONQUILS alerts" });
  // A topic policy replaces SNS's default one: restate the account's rights over its topic…
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "OwnerRights",
      principals: [new iam.AnyPrincipal()],
      actions: [
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:AddPermission",
        "sns:RemovePermission",
        "sns:DeleteTopic",
        "sns:Subscribe",
        "sns:ListSubscriptionsByTopic",
        "sns:Publish",
      ],
      resources: [topic.topicArn],
      conditions: { StringEquals: { "AWS:SourceOwner": stack.account } },
    }),
  );
  // …and let CloudWatch alarms of this account publish (the 14 alarms of the Monitoring stack).
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "CloudWatchAlarms",
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["sns:Publish"],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { "aws:SourceAccount": stack.account },
        ArnLike: {
          "aws:SourceArn": `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
        },
      },
    }),
  );
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "TLSOnly",
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ["sns:Publish"],
      resources: [topic.topicArn],
      conditions: { Bool: { "aws:SecureTransport": "false" } },
    }),
  );
  stack.addOutputs({ AlertsTopicArn: topic.topicArn });
  return { topic };
}
