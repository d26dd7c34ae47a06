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

  it("counts the events in batches being sent against bufferMax: memory never holds more", async () => {
    const spilled: number[] = [];
    const waiting: (() => void)[] = [];
    const queue = createBatchingQueue<number>({
      kind: "memory",
      log,
      batchSize: 100,
      maxBatchSize: 100,
      flushMs: 60_000,
      bufferMax: 500,
      concurrency: 2,
      replay: false,
      send: () => new Promise<void>((resolve) => waiting.push(resolve)),
      spill: {
        write: async (batch) => void spilled.push(...batch),
        replay: async () => 0,
        pending: async () => spilled.length,
      },
    });
    // Two batches of 100 go out and stay out (the store is slow); 300 more may wait.
    for (let i = 0; i < 200; i++) queue.enqueue(i);
    await tick();
    expect(queue.stats()).toMatchObject({ inFlight: 2, inFlightEvents: 200, buffered: 0 });
    for (let i = 200; i < 500; i++) queue.enqueue(i);
    expect(queue.stats().buffered).toBe(300);
    expect(spilled).toHaveLength(0);
    // One more: 200 out + 301 waiting > 500, so the waiting ones go to the spill, none lost.
    queue.enqueue(500);
    await tick();
    expect(queue.stats().buffered + queue.stats().inFlightEvents).toBeLessThanOrEqual(500);
    expect(spilled).toHaveLength(301);
    let closed = false;
    const done = queue.close().then(() => (closed = true));
    while (!closed) {
      waiting.splice(0).forEach((release) => release());
      await tick();
    }
    await done;
    expect(queue.stats().sent + spilled.length).toBe(501);
    expect(queue.stats().dropped).toBe(0);
  });
});
