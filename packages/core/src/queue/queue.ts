import type { Logger } from "../logger";

/**
 * The event queue port: `enqueue` is synchronous and never waits on I/O; events leave in
 * batches (by size or time) through a transport — straight into the analytics store
 * in-process, or SQS in AWS. Nothing is dropped while a spill is configured: failed batches
 * and overflow go to durable storage and are replayed.
 */
export interface EventQueue<E> {
  readonly kind: string;
  enqueue(event: E): void;
  /** Sends everything buffered so far (retrying, spilling what cannot be sent). */
  flush(): Promise<void>;
  /** Stops the timer, drains the buffer and in-flight batches (spilling on failure). */
  close(): Promise<void>;
  stats(): QueueStats;
}

export interface QueueStats {
  buffered: number;
  /** Batches being sent, and the events in them. */
  inFlight: number;
  inFlightEvents: number;
  sent: number;
  batches: number;
  failedAttempts: number;
  spilled: number;
  replayed: number;
  dropped: number;
}

/** Where a batch goes: the store, or SQS. Throws when the batch was not delivered. */
export type SendBatch<E> = (batch: E[]) => Promise<void>;

/** Durable overflow: batches that could not be sent, replayed later in order. */
export interface Spill<E> {
  write(batch: readonly E[]): Promise<void>;
  /** Sends every spilled batch with `send`, removing each once sent; stops at the first failure. */
  replay(send: SendBatch<E>): Promise<number>;
  /** Events waiting in the spill. */
  pending(): Promise<number>;
}

export interface BatchingQueueOptions<E> {
  kind: string;
  send: SendBatch<E>;
  spill?: Spill<E> | undefined;
  log: Logger;
  /** Events per batch (default 5000). */
  batchSize?: number;
  /**
   * Under a backlog (events kept coming while every slot was busy), one batch takes up to this
   * many of the waiting events (default `batchSize`, i.e. no coalescing). A store that pays a
   * fixed cost per insert (ClickHouse: one part per table and view) ingests far more per second
   * in fewer, larger batches, while a quiet queue still sends small, time-triggered ones.
   */
  maxBatchSize?: number;
  /** Longest an event waits in memory before a flush starts (default 1000 ms). */
  flushMs?: number;
  /**
   * Events held in memory at most — waiting and in batches being sent; beyond it the waiting
   * ones go to the spill (or the oldest are dropped without one). Keep
   * `concurrency × maxBatchSize` well under it, or a backlog spills while batches are out.
   */
  bufferMax?: number;
  /** Attempts per batch before it is spilled (default 4), backoff doubling from `backoffMs`. */
  attempts?: number;
  backoffMs?: number;
  /** Batches sent at once (default 2: the next batch is encoded while one is being written). */
  concurrency?: number;
  /** Replay the spill at start and whenever a send succeeds after it held events (default true). */
  replay?: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The in-process batching queue; the SQS adapter reuses it with an SQS `send`. */
export function createBatchingQueue<E>(options: BatchingQueueOptions<E>): EventQueue<E> {
  const batchSize = options.batchSize ?? 5000;
  const maxBatchSize = Math.max(options.maxBatchSize ?? batchSize, batchSize);
  const flushMs = options.flushMs ?? 1000;
  const bufferMax = Math.max(options.bufferMax ?? 200_000, batchSize);
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 200;
  const concurrency = options.concurrency ?? 2;
  const { spill, log } = options;

  let buffer: E[] = [];
  let closed = false;
  let scheduled = false;
  let spillMayHoldEvents = spill !== undefined && options.replay !== false;
  let replaying: Promise<void> | undefined;
  let failedBatches = 0;
  /** Events in batches being sent: they count against `bufferMax` too. */
  let inFlightEvents = 0;
  const inFlight = new Set<Promise<void>>();
  const spilling = new Set<Promise<void>>();
  const stats: QueueStats = {
    buffered: 0,
    inFlight: 0,
    inFlightEvents: 0,
    sent: 0,
    batches: 0,
    failedAttempts: 0,
    spilled: 0,
    replayed: 0,
    dropped: 0,
  };

  const track = (set: Set<Promise<void>>, p: Promise<void>) => {
    set.add(p);
    void p.finally(() => set.delete(p));
  };

  async function sendWithRetry(batch: E[], tries: number): Promise<boolean> {
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        await options.send(batch);
        stats.sent += batch.length;
        stats.batches += 1;
        return true;
      } catch (error) {
        stats.failedAttempts += 1;
        if (attempt === tries) {
          log.warn(
            { err: error, events: batch.length, queue: options.kind },
            "batch not delivered",
          );
          return false;
        }
        await sleep(backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
      }
    }
    return false;
  }

  function spillOrKeep(batch: E[], why: string): void {
    if (spill) {
      const p = spill.write(batch).then(
        () => {
          stats.spilled += batch.length;
          spillMayHoldEvents = true;
          log.warn({ events: batch.length, why, queue: options.kind }, "events spilled");
        },
        (error: unknown) => {
          stats.dropped += batch.length;
          log.error({ err: error, events: batch.length }, "events lost: spill failed");
        },
      );
      track(spilling, p);
      return;
    }
    // No durable place: keep them in memory for the next flush, within the bound.
    buffer = batch.concat(buffer);
    trimToBound();
  }

  const overBound = () => buffer.length + inFlightEvents > bufferMax;

  function trimToBound(): void {
    if (!overBound()) return;
    if (spill) {
      const overflow = buffer;
      buffer = [];
      spillOrKeep(overflow, "memory buffer full");
      return;
    }
    const excess = Math.min(buffer.length, buffer.length + inFlightEvents - bufferMax);
    buffer.splice(0, excess);
    stats.dropped += excess;
    log.error({ events: excess, queue: options.kind }, "events dropped: buffer full and no spill");
  }

  function maybeReplay(): void {
    if (!spill || !spillMayHoldEvents || replaying || closed) return;
    spillMayHoldEvents = false;
    replaying = spill
      .replay(async (batch) => {
        if (!(await sendWithRetry(batch, 1))) throw new Error("store unavailable");
        stats.replayed += batch.length;
      })
      .then(
        (n) => {
          if (n > 0) log.info({ events: n, queue: options.kind }, "spilled events replayed");
        },
        (error: unknown) => {
          spillMayHoldEvents = true;
          log.warn({ err: error }, "spill replay stopped; retried after the next success");
        },
      )
      .finally(() => (replaying = undefined));
  }

  /** Starts batches while there is room; returns once the buffer is empty or the pipe is full. */
  function pump(force: boolean): void {
    while (buffer.length > 0 && inFlight.size < concurrency) {
      if (!force && buffer.length < batchSize) return;
      const batch = buffer.length <= maxBatchSize ? buffer : buffer.slice(0, maxBatchSize);
      buffer = buffer.length <= maxBatchSize ? [] : buffer.slice(maxBatchSize);
      inFlightEvents += batch.length;
      const p = sendWithRetry(batch, closed ? 1 : attempts).then((ok) => {
        inFlightEvents -= batch.length;
        if (!ok) {
          failedBatches += 1;
          spillOrKeep(batch, "send failed");
          return;
        }
        maybeReplay();
        if (buffer.length >= batchSize) pump(false);
      });
      track(inFlight, p);
    }
  }

  const timer = setInterval(() => pump(true), flushMs);
  timer.unref?.();
  if (spill && options.replay !== false) queueMicrotask(maybeReplay);

  async function drain(): Promise<void> {
    const failedBefore = failedBatches;
    for (;;) {
      pump(true);
      if (inFlight.size === 0) break;
      await Promise.all(inFlight);
      // Without a spill, failed batches went back to memory: stop rather than spin.
      if (!spill && failedBatches > failedBefore) break;
    }
    if (closed && spill && buffer.length > 0) spillOrKeep(buffer.splice(0), "shutdown");
    await Promise.all(spilling);
  }

  return {
    kind: options.kind,
    enqueue(event) {
      if (closed) {
        // Late events during shutdown still go somewhere durable.
        if (spill) spillOrKeep([event], "enqueued after close");
        else stats.dropped += 1;
        return;
      }
      buffer.push(event);
      if (overBound()) trimToBound();
      if (buffer.length >= batchSize && !scheduled) {
        scheduled = true;
        // Never inside the caller's stack: the request that filled the batch returns first.
        setImmediate(() => {
          scheduled = false;
          pump(false);
        });
      }
    },
    flush: drain,
    async close() {
      if (closed) return;
      clearInterval(timer);
      await replaying;
      closed = true;
      await drain();
    },
    stats() {
      return { ...stats, buffered: buffer.length, inFlight: inFlight.size, inFlightEvents };
    },
  };
}
