// First: bound secrets (CLICKHOUSE_URL, CLICKHOUSE_PASSWORD) into process.env.
import "./secrets";
import { createLogger, type Logger } from "@jonquils/core";
import { lambdaEnv } from "@jonquils/core/config-wirings";
import { isAnalyticsRecord, type AnalyticsRecord } from "@jonquils/core/analytics/records";
import type { AnalyticsStore } from "@jonquils/core/analytics/store";
import { decodeMessage } from "@jonquils/core/queue/sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { withObservability } from "./observability";
import { openClickHouse } from "./runtime";

/**
 * The SQS consumer of analytics events: each message holds several events (packed by the
 * API's SQS queue adapter); one invocation inserts all of them with one insert per table.
 * Partial batch failures: a malformed message fails alone (redelivered, then to the DLQ);
 * when the insert fails, every decodable message of the batch is reported failed and
 * redelivered (at-least-once: a table written before the failure may see those rows twice).
 */
export function createAnalyticsConsumer(store: AnalyticsStore, log: Logger) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failed: string[] = [];
    const decoded: { id: string; records: AnalyticsRecord[] }[] = [];
    for (const message of event.Records) {
      try {
        decoded.push({
          id: message.messageId,
          records: decodeMessage(message.body, isAnalyticsRecord),
        });
      } catch (error) {
        log.error({ err: error, messageId: message.messageId }, "malformed analytics message");
        failed.push(message.messageId);
      }
    }
    const records = decoded.flatMap((d) => d.records);
    if (records.length > 0) {
      try {
        await store.insert(records);
      } catch (error) {
        log.error(
          { err: error, events: records.length },
          "analytics insert failed; batch redelivered",
        );
        failed.push(...decoded.map((d) => d.id));
      }
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

let consume: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

export const handler = withObservability("analytics-consumer", async (event: SQSEvent) => {
  if (!consume) {
    const config = lambdaEnv["analytics-consumer"].parse();
    consume = createAnalyticsConsumer(
      await openClickHouse(config),
      createLogger(config.LOG_LEVEL, { fn: "analytics-consumer" }),
    );
  }
  return consume(event);
});
