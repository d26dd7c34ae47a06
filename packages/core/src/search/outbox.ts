import { sql } from "drizzle-orm";
import type { Ports } from "../context";
import { rowsOf } from "../db/rows";
import type { Db, Executor } from "../db/types";
import {
  claimOutboxHold,
  clearOutboxHold,
  createOutboxDrainer,
  enqueueOutbox,
  renewOutboxHold,
  type OutboxHandler,
} from "../outbox/index";
import { isSearchChanges, mergeChanges, type SearchChanges } from "./changes";
import { syncSearch, trackChanges } from "./sync";

/**
 * Search sync through the outbox: a catalog write records which documents changed (ids only) in
 * its own transaction; the drainer delivers batches of those events at least once, reloading
 * each document from the database at delivery, so a repeat or a late delivery writes what is
 * true then. An OpenSearch outage fails no write: the events wait, and the batch is retried.
 */
export function searchOutboxHandler(ports: Pick<Ports, "db" | "search" | "log">): OutboxHandler {
  return async (batchId, payloads) => {
    const valid = payloads.filter(isSearchChanges);
    if (valid.length < payloads.length)
      ports.log.warn(
        { batchId, dropped: payloads.length - valid.length },
        "search outbox: malformed events",
      );
    const merged = mergeChanges(valid);
    // A track's artist and album carry its counts and popularity: rewrite them too.
    const related = await trackChanges(ports.db, merged.tracks);
    await syncSearch(ports, mergeChanges([merged, related]), { rethrow: true });
  };
}

/** Records a search-sync event outside a service transaction (tools, the drift repair). */
export async function enqueueSearchSync(db: Executor, changes: SearchChanges): Promise<void> {
  const merged = Object.fromEntries(
    Object.entries(mergeChanges([changes])).filter(([, ids]) => ids.length > 0),
  );
  if (Object.keys(merged).length === 0) return;
  await enqueueOutbox(db, "search", [merged]);
}

/**
 * While a reindex rebuilds the index, search events are held (not delivered) and applied when it
 * ends, on the rebuilt index: what was written during the rebuild — removals too — is caught up,
 * on either adapter. The hold is a row of the outbox (topic `search-hold`, never delivered) whose
 * `claimed_at` is the reindex's heartbeat: a hold without a heartbeat for HOLD_STALE_MS (its
 * process died) is ignored.
 */
export const HOLD_STALE_MS = 5 * 60_000;

export async function searchSyncHeld(db: Db): Promise<boolean> {
  const rows = rowsOf(
    await db.execute(sql`
    select 1 as held from outbox_events where topic = 'search-hold'
      and claimed_at > now() - make_interval(secs => ${HOLD_STALE_MS / 1000}::double precision)
    limit 1`),
  );
  return rows.length > 0;
}

export async function withSearchSyncHeld<T>(
  db: Db,
  run: (heartbeat: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const id = await claimOutboxHold(db, "search-hold", {
    pid: process.pid,
    at: new Date().toISOString(),
  });
  let last = Date.now();
  const heartbeat = async () => {
    if (Date.now() - last < 10_000) return;
    last = Date.now();
    await renewOutboxHold(db, id);
  };
  try {
    return await run(heartbeat);
  } finally {
    await clearOutboxHold(db, id);
  }
}

/**
 * Delivers the pending search events now, in this process (the pipeline's index step, tools
 * without a running drainer). Never throws: what fails stays in the outbox for the next drain.
 */
export async function drainSearchOutbox(
  ports: Pick<Ports, "db" | "search" | "log">,
): Promise<number> {
  const drainer = createOutboxDrainer(
    ports.db,
    ports.log,
    { search: searchOutboxHandler(ports) },
    { intervalMs: 0, held: { search: () => searchSyncHeld(ports.db) } },
  );
  const delivered = await drainer.drain();
  await drainer.close();
  return delivered;
}

/**
 * The pipeline's index step: records that the tracks' documents (with their artists' and
 * albums') must be rewritten, then delivers pending search events at once. An unreachable index
 * fails nothing: the event waits for the next drain.
 */
export async function indexTracksNow(
  ports: Pick<Ports, "db" | "search" | "log">,
  trackIds: string[],
): Promise<void> {
  await enqueueSearchSync(ports.db, { tracks: trackIds });
  await drainSearchOutbox(ports);
}
