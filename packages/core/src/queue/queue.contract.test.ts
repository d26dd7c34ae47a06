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
