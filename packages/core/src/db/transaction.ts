import type { Ports } from "../context";
import { enqueueOutbox, type OutboxTopic } from "../outbox/index";
import { mergeChanges, type SearchChanges } from "../search/changes";
import type { Tx } from "./types";

/**
 * What a write does besides its rows, registered inside its transaction (as sst/console's
 * `createTransactionEffect`): nothing of it happens unless the transaction commits.
 */
export interface TxEffects {
  /**
   * Events for another store (analytics, search sync): written to the outbox in this very
   * transaction, delivered at least once after the commit (the drainer is woken then).
   */
  publish(topic: OutboxTopic, payloads: readonly unknown[]): void;
  /** Search documents to rewrite (or remove): `publish("search", …)`, merged into one event. */
  syncSearch(changes: SearchChanges): void;
  /**
   * Runs after the commit, in registration order (cache generations, in-process state). A
   * failure is logged and never fails the write: what it repairs has a TTL or a sweep.
   */
  afterCommit(label: string, effect: () => unknown): void;
}

/**
 * The one way domain services write with side effects: `run` gets the transaction and its
 * effects; events are in the outbox by the commit, after-commit effects run once it is done,
 * and a rolled-back transaction leaves no effect at all.
 */
export async function transaction<T>(
  ports: Pick<Ports, "db" | "log" | "outbox">,
  run: (tx: Tx, effects: TxEffects) => Promise<T>,
): Promise<T> {
  const events = new Map<OutboxTopic, unknown[]>();
  const search: SearchChanges[] = [];
  const after: [string, () => unknown][] = [];
  let open = true;
  const effects: TxEffects = {
    publish(topic, payloads) {
      if (!open) throw new Error("effects registered after the transaction ended");
      const list = events.get(topic) ?? [];
      list.push(...payloads);
      events.set(topic, list);
    },
    syncSearch(changes) {
      if (!open) throw new Error("effects registered after the transaction ended");
      search.push(changes);
    },
    afterCommit(label, effect) {
      if (!open) throw new Error("effects registered after the transaction ended");
      after.push([label, effect]);
    },
  };
  const result = await ports.db
    .transaction(async (tx) => {
      const value = await run(tx, effects);
      if (search.length > 0) {
        // One event per transaction, with only the kinds that changed.
        const payload = Object.fromEntries(
          Object.entries(mergeChanges(search)).filter(([, ids]) => ids.length > 0),
        );
        if (Object.keys(payload).length > 0) effects.publish("search", [payload]);
      }
      for (const [topic, payloads] of events) await enqueueOutbox(tx, topic, payloads);
      return value;
    })
    .finally(() => {
      open = false;
    });
  if (events.size > 0) ports.outbox?.kick();
  for (const [label, effect] of after) {
    try {
      await effect();
    } catch (error) {
      ports.log.error({ err: error, effect: label }, "after-commit effect failed");
    }
  }
  return result;
}
