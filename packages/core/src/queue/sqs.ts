import type { SendMessageBatchRequestEntry, SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../logger";
import { createBatchingQueue, type BatchingQueueOptions, type EventQueue } from "./queue";

/** SQS limits: 10 entries per SendMessageBatch, 256 KiB per message and per batch request. */
export const SQS_MAX_ENTRIES = 10;
export const SQS_MAX_BATCH_BYTES = 256 * 1024;
/** Room left for the JSON array brackets and SQS' own accounting. */
const BODY_BUDGET = SQS_MAX_BATCH_BYTES - 1024;

/**
 * Packs events into message bodies (a JSON array each, several events a message) and the
 * bodies into SendMessageBatch requests: ≤ 10 entries and ≤ 256 KiB per request.
 */
export function packMessages<E>(events: readonly E[]): string[][] {
  return packEntries(events).map((request) => request.map((m) => m.body));
}

interface PackedMessage<E> {
  body: string;
  /** The events this body carries, so an accepted body marks exactly them as sent. */
  events: E[];
}

function packEntries<E>(events: readonly E[]): PackedMessage<E>[][] {
  const requests: PackedMessage<E>[][] = [];
  let request: PackedMessage<E>[] = [];
  let requestBytes = 0;
  let body: string[] = [];
  let bodyEvents: E[] = [];
  let bodyBytes = 2;
  const closeBody = () => {
    if (body.length === 0) return;
    const text = `[${body.join(",")}]`;
    if (
      request.length === SQS_MAX_ENTRIES ||
      requestBytes + Buffer.byteLength(text) > BODY_BUDGET
    ) {
      requests.push(request);
      request = [];
      requestBytes = 0;
    }
    request.push({ body: text, events: bodyEvents });
    requestBytes += Buffer.byteLength(text);
    body = [];
    bodyEvents = [];
    bodyBytes = 2;
  };
  for (const e of events) {
    const json = JSON.stringify(e);
    const bytes = Buffer.byteLength(json) + 1;
    if (bytes + 2 > BODY_BUDGET) throw new Error(`event too large for SQS (${bytes} bytes)`);
    // A body never exceeds what one request can carry alone, and a request's bodies share that budget.
    if (bodyBytes + bytes > BODY_BUDGET / SQS_MAX_ENTRIES && body.length > 0) closeBody();
    body.push(json);
    bodyEvents.push(e);
    bodyBytes += bytes;
  }
  closeBody();
  if (request.length > 0) requests.push(request);
  return requests;
}

/**
 * Sends a batch of events to SQS; retries the entries SQS refused, then throws if any remain.
 *
 * A batch spans several SendMessageBatch requests. When a later request fails, the batching
 * queue retries (or keeps, or spills) the whole batch: the events SQS already accepted are
 * remembered here (by identity, in a WeakSet: the queue hands back the same event objects)
 * and never sent again, so a failure halfway through a batch duplicates nothing. Events that
 * are not objects cannot be remembered and would be re-sent; ours are always objects.
 */
export function sqsSender<E>(
  client: Pick<SQSClient, "send">,
  queueUrl: string,
  log: Logger,
): (batch: E[]) => Promise<void> {
  const accepted = new WeakSet<object>();
  const isObject = (e: unknown): e is object =>
    (typeof e === "object" && e !== null) || typeof e === "function";
  const markSent = (events: E[]) => {
    for (const e of events) if (isObject(e)) accepted.add(e);
  };
  return async (batch) => {
    // The SDK (~200 ms to import) loads with the first batch, not with the process.
    const { SendMessageBatchCommand } = await import("@aws-sdk/client-sqs");
    const pending = batch.filter((e) => !isObject(e) || !accepted.has(e));
    for (const request of packEntries(pending)) {
      let entries = request.map((m, i) => ({ id: String(i), message: m }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        const out = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: entries.map((e): SendMessageBatchRequestEntry => ({
              Id: e.id,
              MessageBody: e.message.body,
            })),
          }),
        );
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        for (const e of entries) if (!failed.has(e.id)) markSent(e.message.events);
        if (failed.size === 0) break;
        if (attempt >= 3) {
          log.warn({ failed: [...failed] }, "SQS refused messages");
          throw new Error(`SQS refused ${failed.size} of ${entries.length} messages`);
        }
        entries = entries.filter((e) => failed.has(e.id));
      }
    }
  };
}

/** An SQS client created, with its SDK, on the first send. */
export function lazySqsClient(region: string): Pick<SQSClient, "send"> {
  let client: Promise<SQSClient> | undefined;
  return {
    send: (async (command: Parameters<SQSClient["send"]>[0]) => {
      client ??= import("@aws-sdk/client-sqs").then((m) => new m.SQSClient({ region }));
      return (await client).send(command);
    }) as SQSClient["send"],
  };
}

/**
 * The SQS adapter of the event queue: the same in-memory batching, each batch sent with
 * SendMessageBatch (events packed several per message). Without local disk (Lambda) there is
 * no spill: a batch SQS refuses after retries stays in memory within `bufferMax`.
 */
export function createSqsQueue<E>(
  client: Pick<SQSClient, "send">,
  queueUrl: string,
  options: Omit<BatchingQueueOptions<E>, "send" | "kind">,
): EventQueue<E> {
  return createBatchingQueue<E>({
    ...options,
    kind: "sqs",
    send: sqsSender<E>(client, queueUrl, options.log),
  });
}

/** Reads one SQS message body written by `packMessages`: a JSON array of events. */
export function decodeMessage<E>(body: string, accept: (v: unknown) => v is E): E[] {
  const parsed: unknown = JSON.parse(body);
  if (!Array.isArray(parsed)) throw new Error("message body is not a JSON array");
  const out: E[] = [];
  for (const v of parsed) {
    if (!accept(v)) throw new Error("message holds an invalid event");
    out.push(v);
  }
  return out;
}
