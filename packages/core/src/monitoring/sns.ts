import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { AlertPublisher, AlertRow } from "./monitor";

/** SNS subjects are at most 100 printable ASCII characters. */
export function snsSubject(alert: Pick<AlertRow, "severity" | "title">): string {
  const ascii = `[JONQUILS ${alert.severity}] ${alert.title}`.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
}

/** Publishes each newly opened alert to an SNS topic (email, chat or pager subscriptions). */
export function snsPublisher(topicArn: string, client = new SNSClient({})): AlertPublisher {
  return {
    kind: "sns",
    async publish(opened: readonly AlertRow[]) {
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
