import { createLogger } from "@jonquils/core";
import {
  listenRecord,
  requestRecord,
  type AnalyticsRecord,
} from "@jonquils/core/analytics/records";
import type { AnalyticsStore } from "@jonquils/core/analytics/store";
import { packMessages } from "@jonquils/core/queue/sqs";
import { openChdbStore } from "@jonquils/local/analytics/chdb";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnalyticsConsumer } from "./analytics-consumer";

const sqsEvent = (bodies: string[]): SQSEvent => ({
  Records: bodies.map(
    (body, i) =>
      ({
        messageId: `m${i}`,
        receiptHandle: `r${i}`,
        body,
        attributes: {},
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:analytics",
        awsRegion: "us-east-1",
      }) as unknown as SQSRecord,
  ),
});

/** The consumer Lambda over a real store (chDB here; ClickHouse in AWS) with SQS-shaped events. */
describe("analytics consumer Lambda", () => {
  let dir: string;
  let store: AnalyticsStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "jonquils-consumer-"));
    store = await openChdbStore(join(dir, "chdb"));
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const listens = (trackId: string, n: number): AnalyticsRecord[] =>
    Array.from({ length: n }, () =>
      listenRecord({
        at: Date.now(),
        trackId,
        userId: randomUUID(),
        artistId: randomUUID(),
        genreId: 2,
        durationPlayedMs: 30_000,
        completionPercentage: 60,
        platform: "ios",
        deviceType: "mobile",
      }),
    );
  const count = async (trackId: string) =>
    (
      await store.select<{ n: number }>(
        "SELECT count() AS n FROM track_analytics WHERE track_id = {t:UUID}",
        { t: trackId },
      )
    )[0]!.n;

  it("inserts every event of the batch and fails only the malformed message", async () => {
    const trackId = randomUUID();
    const bodies = packMessages<AnalyticsRecord>([
      ...listens(trackId, 500),
      requestRecord({
        at: Date.now(),
        requestId: "r1",
        userId: null,
        method: "GET",
        route: "/health",
        status: 200,
        durationMs: 1,
        userAgent: "",
        ip: "",
      }),
    ]).flat();
    const event = sqsEvent([
      ...bodies,
      "not json",
      JSON.stringify([{ table: "nope", values: [] }]),
    ]);
    const consume = createAnalyticsConsumer(store, createLogger("silent"));
    const result = await consume(event);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      `m${bodies.length}`,
      `m${bodies.length + 1}`,
    ]);
    expect(await count(trackId)).toBe(500);
  });

  it("reports the whole batch failed when the store is down, so SQS redelivers it", async () => {
    const trackId = randomUUID();
    const bodies = packMessages<AnalyticsRecord>(listens(trackId, 20)).flat();
    const down: AnalyticsStore = {
      ...store,
      insert: () => Promise.reject(new Error("ECONNREFUSED")),
    };
    const result = await createAnalyticsConsumer(down, createLogger("silent"))(sqsEvent(bodies));
    expect(result.batchItemFailures).toHaveLength(bodies.length);
    // The redelivery, once the store is back, writes them.
    const again = await createAnalyticsConsumer(store, createLogger("silent"))(sqsEvent(bodies));
    expect(again.batchItemFailures).toEqual([]);
    expect(await count(trackId)).toBe(20);
  });
});
