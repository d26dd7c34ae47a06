import { sql } from "drizzle-orm";
import { rowsOf } from "../db/rows";
import type { Db, Executor } from "../db/types";
import type { Logger } from "../logger";
import { outboxEvents } from "./outbox.sql";

export { idempotencyKeys, outboxEvents } from "./outbox.sql";

export type OutboxTopic = "analytics" | "search";

/** Writes events into the outbox, inside the caller's transaction. */
export async function enqueueOutbox(
  tx: Executor,
  topic: OutboxTopic,
  payloads: readonly unknown[],
): Promise<void> {
  if (payloads.length === 0) return;
  await tx.insert(outboxEvents).values(payloads.map((payload) => ({ topic, payload })));
}

/**
 * A hold keeps a topic from being delivered for a while (a search reindex): a row of the outbox
 * under its own topic, which no drainer handles, whose `claimed_at` is its holder's heartbeat
 * (the topic's `held` check reads it). Answers the row's id, to renew and clear it.
 */
export async function claimOutboxHold(
  db: Executor,
  topic: `${OutboxTopic}-hold`,
  payload: unknown,
): Promise<number> {
  const rows = rowsOf<{ id: number | string }>(
    await db.execute(sql`
      insert into outbox_events (topic, payload, batch_id, claimed_at)
      values (${topic}, ${JSON.stringify(payload)}::jsonb, 0, now())
      returning id`),
  );
  return Number(rows[0]!.id);
}

/** The hold's heartbeat: it holds while renewed more often than the topic's staleness. */
export async function renewOutboxHold(db: Executor, id: number): Promise<void> {
  await db.execute(sql`update outbox_events set claimed_at = now() where id = ${id}`);
}

export async function clearOutboxHold(db: Executor, id: number): Promise<void> {
  await db.execute(sql`delete from outbox_events where id = ${id}`);
}

/**
 * Delivers one batch. `batchId` is stable across retries of the same rows (use it as the
 * deduplication token); throwing leaves the batch claimed, to be sent again (same id, same
 * rows) once its claim is stale.
 */
export type OutboxHandler = (batchId: number, payloads: unknown[]) => Promise<void>;

export interface OutboxDrainer {
  /** Drain soon (after a write committed); never throws, never awaited by the writer. */
  kick(): void;
  /** Delivers until nothing is pending (or a handler fails); resolves with events delivered. */
  drain(): Promise<number>;
  /** Events not yet delivered, per topic. */
  pending(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface OutboxOptions {
  /** Events per batch (one analytics insert, one search sync). */
  batchSize?: number;
  /** A claimed batch not delivered after this long is sent again (crash, store outage). */
  staleMs?: number;
  /** Poll interval, for events written by other processes (0: no timer). */
  intervalMs?: number;
  /** A topic whose check answers true is not delivered for now (a search reindex runs). */
  held?: Partial<Record<OutboxTopic, () => Promise<boolean>>>;
}

interface Row {
  id: number | string;
  batch_id: number | string;
  payload: unknown;
}

/**
 * Drains the outbox, at least once, per topic. Several processes may drain the same database:
 * claims use `FOR UPDATE SKIP LOCKED`, a stale claim is taken back by exactly one of them.
 */
export function createOutboxDrainer(
  db: Db,
  log: Logger,
  handlers: Partial<Record<OutboxTopic, OutboxHandler>>,
  options: OutboxOptions = {},
): OutboxDrainer {
  const batchSize = options.batchSize ?? 1000;
  const staleMs = options.staleMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 1000;
  const topics = Object.keys(handlers) as OutboxTopic[];
  let running: Promise<number> | undefined;
  let again = false;
  let closed = false;
  let kicked: NodeJS.Immediate | undefined;
  let lastErrorLog = 0;

  async function claim(topic: OutboxTopic): Promise<Row[]> {
    // A batch whose claim went stale (its process died, or the store refused it): same rows,
    // same batch id. The staleness is re-checked on the locked rows, so one drainer wins.
    const stale = rowsOf<Row>(
      await db.execute(sql`
        update outbox_events set claimed_at = now(), attempts = attempts + 1
        where batch_id = (
            select batch_id from outbox_events
            where topic = ${topic}::text and batch_id is not null
              and claimed_at < now() - make_interval(secs => ${staleMs / 1000}::double precision)
            order by batch_id limit 1 for update skip locked)
          and claimed_at < now() - make_interval(secs => ${staleMs / 1000}::double precision)
        returning id, batch_id, payload`),
    );
    if (stale.length > 0) return stale;
    return rowsOf<Row>(
      await db.execute(sql`
        with picked as (
          select id from outbox_events where topic = ${topic}::text and batch_id is null
          order by id limit ${batchSize}::int for update skip locked)
        update outbox_events o
          set batch_id = (select min(id) from picked), claimed_at = now(), attempts = attempts + 1
        from picked where o.id = picked.id
        returning o.id, o.batch_id, o.payload`),
    );
  }

  async function drainTopic(topic: OutboxTopic, handler: OutboxHandler): Promise<number> {
    let delivered = 0;
    if (await options.held?.[topic]?.()) return 0;
    while (!closed) {
      const rows = await claim(topic);
      if (rows.length === 0) break;
      rows.sort((a, b) => Number(a.id) - Number(b.id));
      const batchId = Number(rows[0]!.batch_id);
      await handler(
        batchId,
        rows.map((r) => r.payload),
      );
      await db.execute(sql`delete from outbox_events where batch_id = ${batchId}`);
      delivered += rows.length;
    }
    return delivered;
  }

  async function drainAll(): Promise<number> {
    let total = 0;
    for (const topic of topics) {
      try {
        total += await drainTopic(topic, handlers[topic]!);
      } catch (error) {
        // Left claimed: retried when stale. Logged at most every 10 s during an outage.
        if (Date.now() - lastErrorLog > 10_000) {
          lastErrorLog = Date.now();
          log.warn({ err: error, topic }, "outbox delivery failed; will retry");
        }
      }
    }
    return total;
  }

  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await drainAll();
      } while (again && !closed);
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer =
    intervalMs > 0
      ? setInterval(() => {
          void drain();
        }, intervalMs)
      : undefined;
  timer?.unref();

  return {
    kick() {
      if (closed || kicked) return;
      kicked = setImmediate(() => {
        kicked = undefined;
        void drain();
      });
    },
    drain,
    async pending() {
      const rows = rowsOf<{ topic: string; n: number | string }>(
        await db.execute(sql`select topic, count(*)::int as n from outbox_events group by topic`),
      );
      return Object.fromEntries(rows.map((r) => [r.topic, Number(r.n)]));
    },
    async close() {
      if (timer) clearInterval(timer);
      if (kicked) clearImmediate(kicked);
      kicked = undefined;
      // One last delivery of what is committed; what fails stays for the next start.
      if (!closed) await drain().catch(() => 0);
      closed = true;
      await running?.catch(() => 0);
    },
  };
}
