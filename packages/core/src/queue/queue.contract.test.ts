import { ReceiveMessageCommand, DeleteMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import { createBatchingQueue, type EventQueue } from "./queue";
import { createSqsQueue, decodeMessage } from "./sqs";

/**
 * The event-queue contract, for every reachable adapter: the in-process queue always, SQS
 * when TEST_SQS_QUEUE_URL points at a queue this run may drain (LocalStack or AWS).
 */
interface Harness {
  queue: EventQueue<Ev>;
  /** Everything delivered so far, as the consumer sees it. */
  delivered(): Promise<Ev[]>;
  /** Deliveries (batches / messages) so far. */
  sends(): number;
}
interface Ev {
  n: number;
  run: string;
}
const isEv = (v: unknown): v is Ev => typeof v === "object" && v !== null && "n" in v;
const log = createLogger("silent");

const adapters: { name: string; make: (o: { batchSize: number; flushMs: number }) => Harness }[] = [
  {
    name: "in-process",
    make: (o) => {
      const got: Ev[] = [];
      let sends = 0;
      const queue = createBatchingQueue<Ev>({
        ...o,
        kind: "memory",
        log,
        send: async (batch) => {
          sends++;
          await new Promise((r) => setTimeout(r, 5));
          got.push(...batch);
        },
      });
      return { queue, delivered: () => Promise.resolve(got), sends: () => sends };
    },
  },
];
const sqsUrl = process.env["TEST_SQS_QUEUE_URL"];
if (sqsUrl) {
  adapters.push({
    name: "sqs",
    make: (o) => {
      const client = new SQSClient({ region: process.env["AWS_REGION"] ?? "us-east-1" });
      let sends = 0;
      const counting = {
        send: (cmd: Parameters<SQSClient["send"]>[0]) => (sends++, client.send(cmd)),
      } as Pick<SQSClient, "send">;
      const queue = createSqsQueue<Ev>(counting, sqsUrl, { ...o, log });
      const got: Ev[] = [];
      return {
        queue,
        sends: () => sends,
        async delivered() {
          for (;;) {
            const out = await client.send(
              new ReceiveMessageCommand({
                QueueUrl: sqsUrl,
                MaxNumberOfMessages: 10,
                WaitTimeSeconds: 1,
              }),
            );
            const messages = out.Messages ?? [];
            if (messages.length === 0) return got;
            for (const m of messages) got.push(...decodeMessage(m.Body ?? "[]", isEv));
            await client.send(
              new DeleteMessageBatchCommand({
                QueueUrl: sqsUrl,
                Entries: messages.map((m, i) => ({
                  Id: String(i),
                  ReceiptHandle: m.ReceiptHandle!,
                })),
              }),
            );
          }
        },
      };
    },
  });
} else {
  console.info("[jonquils] SQS queue cases skipped: set TEST_SQS_QUEUE_URL to run them.");
}

describe.each(adapters)("event queue contract ($name)", ({ make }) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.queue.close();
    h = undefined;
  });
  const run = () => Math.random().toString(36).slice(2);

  it("enqueue returns at once and sends nothing from the caller's stack", () => {
    h = make({ batchSize: 1000, flushMs: 1000 });
    const r = run();
    const t = performance.now();
    for (let n = 0; n < 10_000; n++) h.queue.enqueue({ n, run: r });
    expect(performance.now() - t).toBeLessThan(200);
    expect(h.sends()).toBe(0);
  });

  it("sends in batches by size, never one per event, and delivers every event once closed", async () => {
    h = make({ batchSize: 250, flushMs: 60_000 });
    const r = run();
    for (let n = 0; n < 1000; n++) h.queue.enqueue({ n, run: r });
    await h.queue.close();
    const got = (await h.delivered()).filter((e) => e.run === r);
    expect(got.map((e) => e.n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    );
    expect(h.sends()).toBeLessThanOrEqual(1000 / 10);
    expect(h.queue.stats()).toMatchObject({ sent: 1000, dropped: 0, buffered: 0 });
  });

  it("sends a partial batch after the flush interval", async () => {
    h = make({ batchSize: 1000, flushMs: 50 });
    const r = run();
    for (let n = 0; n < 3; n++) h.queue.enqueue({ n, run: r });
    const until = Date.now() + 3000;
    let got: Ev[] = [];
    while (Date.now() < until && got.length < 3) {
      await new Promise((res) => setTimeout(res, 50));
      got = (await h.delivered()).filter((e) => e.run === r);
    }
    expect(got).toHaveLength(3);
  });
});

/**
 * What the analytics consumer relies on from SQS itself, against the server behind
 * TEST_SQS_QUEUE_URL (its endpoint): partial batch failures (only the messages a handler
 * reports failed come back), redelivery after the visibility timeout, and the dead-letter
 * queue after maxReceiveCount. The poller below does what Lambda's event source mapping does
 * with ReportBatchItemFailures: delete what succeeded, leave the failures to reappear.
 */
describe.runIf(Boolean(sqsUrl))("SQS delivery semantics (real server)", () => {
  const sqs = new SQSClient({ region: process.env["AWS_REGION"] ?? "us-east-1" });
  const suffix = Math.random().toString(36).slice(2, 8);

  async function createQueue(name: string, attributes: Record<string, string>) {
    const { CreateQueueCommand } = await import("@aws-sdk/client-sqs");
    const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return out.QueueUrl!;
  }
  async function arnOf(url: string) {
    const { GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
    );
    return out.Attributes!["QueueArn"]!;
  }
  /** One poll: hands the messages to `handle`, deletes those it did not report failed. */
  async function poll(url: string, handle: (events: Ev[][]) => number[]) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    const messages = out.Messages ?? [];
    const failed = new Set(handle(messages.map((m) => decodeMessage(m.Body ?? "[]", isEv))));
    const done = messages.filter((_, i) => !failed.has(i));
    if (done.length > 0)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    return messages.map((m) => ({
      events: decodeMessage(m.Body ?? "[]", isEv),
      receiveCount: Number(m.Attributes?.["ApproximateReceiveCount"] ?? 0),
    }));
  }

  it("redelivers only the failed message after the visibility timeout, then dead-letters it", async () => {
    const dlq = await createQueue(`jq-dlq-${suffix}`, {});
    const url = await createQueue(`jq-main-${suffix}`, {
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlq), maxReceiveCount: 2 }),
    });
    // Three messages through the real sender: one event each (one flush per event).
    const queue = createSqsQueue<Ev>(sqs, url, { log, batchSize: 1000, flushMs: 60_000 });
    const r = "semantics";
    for (let n = 0; n < 3; n++) {
      queue.enqueue({ n, run: r });
      await queue.flush();
    }
    await queue.close();
    const poisonous = (events: Ev[]) => events.some((e) => e.n === 1);

    // First delivery: all three; the handler fails the one holding event 1.
    const seen: Ev[][] = [];
    for (let i = 0; i < 5 && seen.length < 3; i++) {
      const got = await poll(url, (batch) =>
        batch.flatMap((events, idx) => (poisonous(events) ? [idx] : [])),
      );
      seen.push(...got.map((g) => g.events));
    }
    expect(
      seen
        .flat()
        .map((e) => e.n)
        .sort(),
    ).toEqual([0, 1, 2]);

    // After the visibility timeout only the failed message comes back, a second time.
    await new Promise((res) => setTimeout(res, 1500));
    let again: { events: Ev[]; receiveCount: number }[] = [];
    for (let i = 0; i < 5 && again.length === 0; i++)
      again = await poll(url, (batch) => batch.map((_, idx) => idx));
    expect(again.map((g) => g.events.map((e) => e.n))).toEqual([[1]]);
    expect(again[0]!.receiveCount).toBe(2);

    // Failed maxReceiveCount times: SQS moves it to the dead-letter queue.
    await new Promise((res) => setTimeout(res, 1500));
    const third = await poll(url, () => []);
    expect(third).toEqual([]);
    let dead: { events: Ev[] }[] = [];
    for (let i = 0; i < 5 && dead.length === 0; i++) dead = await poll(dlq, () => []);
    expect(dead.map((g) => g.events.map((e) => e.n))).toEqual([[1]]);
  }, 30_000);
});
