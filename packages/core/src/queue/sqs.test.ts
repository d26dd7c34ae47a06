import type { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import { createSqsQueue, decodeMessage, packMessages, SQS_MAX_BATCH_BYTES } from "./sqs";

const log = createLogger("silent");

/** A stand-in SQS client (unit test of the adapter's batching, not of SQS). */
function fakeSqs(refuse: (attempt: number, id: string) => boolean = () => false) {
  const calls: SendMessageBatchCommand["input"][] = [];
  let attempt = 0;
  const client = {
    send: (cmd: SendMessageBatchCommand) => {
      attempt++;
      calls.push(cmd.input);
      const failed = (cmd.input.Entries ?? []).filter((e) => refuse(attempt, e.Id!));
      return Promise.resolve({
        Successful: [],
        Failed: failed.map((e) => ({ Id: e.Id!, Code: "InternalError", SenderFault: false })),
      });
    },
  } as unknown as Pick<SQSClient, "send">;
  return { client, calls };
}

describe("SQS adapter", () => {
  it("packs many events per message, ≤ 10 messages and ≤ 256 KiB per request", () => {
    const events = Array.from({ length: 20_000 }, (_, n) => ({ n, text: "x".repeat(n % 300) }));
    const requests = packMessages(events);
    const all = requests
      .flat()
      .flatMap((body) => decodeMessage(body, (_v): _v is (typeof events)[number] => true));
    expect(all).toEqual(events);
    for (const r of requests) {
      expect(r.length).toBeLessThanOrEqual(10);
      expect(r.reduce((n, b) => n + Buffer.byteLength(b), 0)).toBeLessThanOrEqual(
        SQS_MAX_BATCH_BYTES,
      );
    }
    // Far fewer messages than events.
    expect(requests.flat().length).toBeLessThan(events.length / 20);
  });

  it("retries only the entries SQS refused, then succeeds", async () => {
    const { client, calls } = fakeSqs((attempt, id) => attempt === 1 && id === "0");
    const queue = createSqsQueue<{ n: number }>(client, "https://sqs.test/q", {
      log,
      batchSize: 100,
      flushMs: 60_000,
    });
    for (let n = 0; n < 100; n++) queue.enqueue({ n });
    await queue.close();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.Entries!.map((e) => e.Id)).toEqual(["0"]);
    expect(queue.stats()).toMatchObject({ sent: 100, dropped: 0 });
  });

  it("never re-sends what SQS accepted when a later request of the same batch fails", async () => {
    // 40 events of ~20 KiB: one body each, so the batch spans 4 requests of 10 messages.
    const events = Array.from({ length: 40 }, (_, n) => ({ n, pad: "x".repeat(20_000) }));
    expect(packMessages(events).length).toBeGreaterThan(1);
    const accepted: number[] = [];
    let calls = 0;
    const client = {
      send: (cmd: SendMessageBatchCommand) => {
        calls++;
        // The second request is refused whole three times (the sender gives up on the batch),
        // then everything is accepted when the queue retries the batch.
        const refuse = calls >= 2 && calls <= 4;
        const entries = cmd.input.Entries ?? [];
        if (!refuse)
          for (const e of entries)
            accepted.push(...JSON.parse(e.MessageBody!).map((v: { n: number }) => v.n));
        return Promise.resolve({
          Successful: [],
          Failed: refuse
            ? entries.map((e) => ({ Id: e.Id!, Code: "InternalError", SenderFault: false }))
            : [],
        });
      },
    } as unknown as Pick<SQSClient, "send">;
    const queue = createSqsQueue<(typeof events)[number]>(client, "https://sqs.test/q", {
      log,
      batchSize: 40,
      flushMs: 60_000,
      backoffMs: 1,
    });
    for (const e of events) queue.enqueue(e);
    await queue.flush();
    await queue.close();
    expect(accepted.sort((a, b) => a - b)).toEqual(events.map((e) => e.n));
    expect(queue.stats()).toMatchObject({ sent: 40, dropped: 0, buffered: 0 });
  });

  it("keeps events in memory while SQS refuses them (no local disk in Lambda)", async () => {
    let down = true;
    const { client } = fakeSqs(() => down);
    const queue = createSqsQueue<{ n: number }>(client, "https://sqs.test/q", {
      log,
      batchSize: 10,
      flushMs: 60_000,
      attempts: 1,
    });
    for (let n = 0; n < 10; n++) queue.enqueue({ n });
    await queue.flush();
    expect(queue.stats()).toMatchObject({ buffered: 10, sent: 0, dropped: 0 });
    down = false;
    await queue.flush();
    expect(queue.stats()).toMatchObject({ buffered: 0, sent: 10 });
    await queue.close();
  });
});
