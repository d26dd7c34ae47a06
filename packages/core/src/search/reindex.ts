import type { Ports } from "../context";
import { catalogDocuments, countCatalogDocuments } from "./documents";
import type { ReindexProgress } from "./port";

/** Rebuilds the search index from the catalog database (batched; an alias swap on OpenSearch). */
export async function reindexFromCatalog(
  ports: Pick<Ports, "db" | "search">,
  options: { batchSize?: number; onProgress?: (p: ReindexProgress) => void } = {},
): Promise<{ indexed: number; ms: number }> {
  const started = performance.now();
  const { indexed } = await ports.search.reindex(
    catalogDocuments(ports.db, options.batchSize ?? 1000),
    options.onProgress,
  );
  return { indexed, ms: Math.round(performance.now() - started) };
}

/**
 * Reindexes when the index does not hold as many documents as the catalog has (a fresh index,
 * data from before the search migration, or writes made behind the services' backs, such as
 * the demo seed's popularity). Returns what was done.
 */
export async function reindexIfStale(
  ports: Pick<Ports, "db" | "search" | "log">,
): Promise<{ reindexed: boolean; indexed: number }> {
  const [have, want] = await Promise.all([ports.search.count(), countCatalogDocuments(ports.db)]);
  if (have === want) return { reindexed: false, indexed: have };
  ports.log.info({ indexed: have, catalog: want }, "search index out of step; reindexing");
  const { indexed, ms } = await reindexFromCatalog(ports);
  ports.log.info({ indexed, ms, adapter: ports.search.kind }, "search index rebuilt");
  return { reindexed: true, indexed };
}
