import { describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import { createBatchingQueue } from "./queue";

const log = createLogger("silent");

/** A queue whose sends wait until released, recording each batch's size. */
function blockedQueue(maxBatchSize?: number) {
  const sizes: number[] = [];
  const waiting: (() => void)[] = [];
  const queue = createBatchingQueue<number>({
    kind: "memory",
    log,
    batchSize: 100,
    flushMs: 60_000,
    ...(maxBatchSize ? { maxBatchSize } : {}),
    send: (batch) => {
      sizes.push(batch.length);
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
  });
  /** Lets every send (those started meanwhile too) finish, then closes the queue. */
  const drain = async () => {
    let closed = false;
    const done = queue.close().then(() => (closed = true));
    while (!closed) {
      waiting.splice(0).forEach((release) => release());
      await new Promise((r) => setImmediate(r));
    }
    await done;
  };
  return { queue, sizes, drain };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("batching queue under a backlog", () => {
  it("coalesces the events that waited behind a busy insert into one larger batch, up to maxBatchSize", async () => {
    const { queue, sizes, drain } = blockedQueue(300);
    for (let i = 0; i < 100; i++) queue.enqueue(i);
    await tick();
    expect(sizes).toEqual([100]); // a full batch leaves at once
    for (let i = 100; i < 550; i++) queue.enqueue(i); // 450 arrive while it is written
    await tick();
    await drain();
    expect(sizes).toEqual([100, 300, 150]);
    expect(queue.stats().sent).toBe(550);
  });

  it("keeps batches at batchSize without maxBatchSize (SQS messages stay small)", async () => {
    const { queue, sizes, drain } = blockedQueue();
    for (let i = 0; i < 100; i++) queue.enqueue(i);
    await tick();
    for (let i = 100; i < 550; i++) queue.enqueue(i);
    await tick();
    await drain();
    expect(sizes).toEqual([100, 100, 100, 100, 100, 50]);
  });
});
