import type { Ports } from "../context";
import { catalogDocuments, countCatalogDocuments } from "./documents";
import { withSearchSyncHeld } from "./outbox";
import type { ReindexProgress, VersionedBatch } from "./port";

/**
 * Rebuilds the search index from the catalog database (batched; an alias swap on OpenSearch).
 * Search events written meanwhile are held and applied to the rebuilt index when it is done
 * (`withSearchSyncHeld`), so a write made during the rebuild — a removal too — is never undone
 * by a batch read before it. The next batch is read while the current one is written.
 */
export async function reindexFromCatalog(
  ports: Pick<Ports, "db" | "search"> & Partial<Pick<Ports, "outbox">>,
  options: {
    batchSize?: number;
    /** After each batch is written; awaited, so a caller may report progress anywhere. */
    onProgress?: (p: ReindexProgress) => void | Promise<void>;
  } = {},
): Promise<{ indexed: number; ms: number }> {
  const started = performance.now();
  const { indexed } = await withSearchSyncHeld(ports.db, (heartbeat) =>
    ports.search.reindex(
      ahead(catalogDocuments(ports.db, options.batchSize ?? 1000), async (batch, counts) => {
        await heartbeat();
        const kind = batch[batch.length - 1]?.kind;
        if (kind && options.onProgress)
          await options.onProgress({ kind, indexed: counts.get(kind) ?? 0 });
      }),
    ),
  );
  // What was held is delivered now (other processes' drainers poll every second).
  ports.outbox?.kick();
  return { indexed, ms: Math.round(performance.now() - started) };
}

/** Reads one batch ahead of the consumer; `after` runs once a batch was taken and written. */
async function* ahead(
  source: AsyncGenerator<VersionedBatch>,
  after: (batch: VersionedBatch, counts: Map<string, number>) => Promise<void>,
): AsyncGenerator<VersionedBatch> {
  const counts = new Map<string, number>();
  let next = source.next();
  for (;;) {
    const current = await next;
    if (current.done) return;
    next = source.next();
    // Handled like the awaited one if the consumer stops early (no unhandled rejection).
    next.catch(() => undefined);
    yield current.value;
    for (const doc of current.value) counts.set(doc.kind, (counts.get(doc.kind) ?? 0) + 1);
    await after(current.value, counts);
  }
}

/**
 * Reindexes when the index does not hold as many documents as the catalog has (a fresh index,
 * data from before the search migration, or writes made behind the services' backs, such as
 * the demo seed's popularity). Returns what was done.
 */
export async function reindexIfStale(
  ports: Pick<Ports, "db" | "search" | "log"> & Partial<Pick<Ports, "outbox">>,
): Promise<{ reindexed: boolean; indexed: number }> {
  const [have, want] = await Promise.all([ports.search.count(), countCatalogDocuments(ports.db)]);
  if (have === want) return { reindexed: false, indexed: have };
  ports.log.info({ indexed: have, catalog: want }, "search index out of step; reindexing");
  const { indexed, ms } = await reindexFromCatalog(ports);
  ports.log.info({ indexed, ms, adapter: ports.search.kind }, "search index rebuilt");
  return { reindexed: true, indexed };
}
