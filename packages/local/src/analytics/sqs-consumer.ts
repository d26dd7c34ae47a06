import type { Logger } from "@jonquils/core";
import { isAnalyticsRecord, type AnalyticsRecord } from "@jonquils/core/analytics/records";
import type { AnalyticsStore } from "@jonquils/core/analytics/store";
import { decodeMessage } from "@jonquils/core/queue/sqs";
import type { SQSClient } from "@aws-sdk/client-sqs";

/**
 * The local twin of the analytics-consumer Lambda and its event source mapping, for
 * `npm run start:servers`: long-polls the analytics queue (moto's SQS there), inserts each
 * batch's events into the store with one insert per table, and deletes the messages that were
 * stored. What is not deleted — a malformed message, or a whole batch whose insert failed —
 * comes back after the visibility timeout and goes to the queue's dead-letter queue after its
 * `maxReceiveCount`, as with `ReportBatchItemFailures` in AWS.
 */
export function startSqsConsumer(options: {
  client: Pick<SQSClient, "send">;
  queueUrl: string;
  store: AnalyticsStore;
  log: Logger;
  /** ReceiveMessage's long poll (s). */
  waitSeconds?: number;
}) {
  const controller = new AbortController();
  let stopped = false;
  const loop = (async () => {
    const { ReceiveMessageCommand, DeleteMessageBatchCommand } =
      await import("@aws-sdk/client-sqs");
    let failures = 0;
    while (!stopped) {
      try {
        const out = await options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: options.waitSeconds ?? 10,
          }),
          { abortSignal: controller.signal },
        );
        failures = 0;
        const done: { Id: string; ReceiptHandle: string }[] = [];
        const records: AnalyticsRecord[] = [];
        for (const [i, m] of (out.Messages ?? []).entries()) {
          try {
            records.push(...decodeMessage(m.Body ?? "", isAnalyticsRecord));
            done.push({ Id: String(i), ReceiptHandle: m.ReceiptHandle! });
          } catch (err) {
            options.log.error({ err, messageId: m.MessageId }, "malformed analytics message");
          }
        }
        if (records.length > 0) {
          try {
            await options.store.insert(records);
          } catch (err) {
            options.log.error(
              { err, events: records.length },
              "analytics insert failed; batch redelivered",
            );
            continue;
          }
        }
        if (done.length > 0)
          await options.client.send(
            new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: done }),
          );
      } catch (err) {
        if (stopped) break;
        if (failures++ === 0) options.log.warn({ err }, "analytics queue not reachable; retrying");
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** failures)).unref());
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      controller.abort();
      await loop;
    },
  };
}
