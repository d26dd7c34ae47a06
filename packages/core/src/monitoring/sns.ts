// Types only: the SDK is imported on first publish. A static import here would be hoisted to the
// top of every Lambda bundle that can alert (esbuild lifts external imports out of lazily
// imported modules), loading the SNS client at each cold start (~50 ms in bench:lambda).
import type * as Sns from "@aws-sdk/client-sns";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { AlertPublisher, AlertRow } from "./monitor";

/** SNS subjects are at most 100 printable ASCII characters. */
export function snsSubject(alert: Pick<AlertRow, "severity" | "title">): string {
  const ascii = `[JONQUILS ${alert.severity}] ${alert.title}`.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
}

/** Publishes each newly opened alert to an SNS topic (email, chat or pager subscriptions). */
export function snsPublisher(topicArn: string, client?: SNSClient): AlertPublisher {
  let sdk: Promise<typeof Sns> | undefined;
  return {
    kind: "sns",
    async publish(opened: readonly AlertRow[]) {
      if (opened.length === 0) return;
      const { PublishCommand, SNSClient } = await (sdk ??= import("@aws-sdk/client-sns"));
      client ??= new SNSClient({});
      for (const alert of opened) {
        await client.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: snsSubject(alert),
            Message: JSON.stringify(
              {
                key: alert.key,
                severity: alert.severity,
                title: alert.title,
                detail: alert.detail,
                firstSeenAt: alert.firstSeenAt,
              },
              null,
              2,
            ),
            MessageAttributes: {
              severity: { DataType: "String", StringValue: alert.severity },
              category: { DataType: "String", StringValue: alert.category },
            },
          }),
        );
      }
    },
  };
}
