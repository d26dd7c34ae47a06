import { sql } from "drizzle-orm";
import type { Ports } from "../context";
import { rowsOf } from "../db/rows";
import type { Db } from "../db/types";
import type { SearchChanges } from "./changes";
import { documentDigest } from "./digest";
import { catalogDocuments } from "./documents";
import { enqueueSearchSync } from "./outbox";
import { SEARCH_KINDS, type SearchKind } from "./port";

export interface SearchDriftReport {
  kind: SearchKind;
  /** Documents the catalog gives for this kind now. */
  catalog: number;
  /** Documents of this kind in the index. */
  indexed: number;
  /** In the catalog, not in the index. */
  missing: number;
  /** In the index, gone from the catalog. */
  extra: number;
  /** In both, with other content (an older version: a write the index never received). */
  stale: number;
  /** A few of the ids that differ, for the alert. */
  sample: string[];
  /** Search events queued to repair them (0 without `repair`). */
  queued: number;
}

const KEY: Record<SearchKind, keyof SearchChanges> = {
  track: "tracks",
  artist: "artists",
  album: "albums",
  playlist: "playlists",
};

/**
 * Compares the index with the catalog document by document: each document is built from the
 * catalog now and its digest compared with the indexed one's, so an index that holds as many
 * documents as the catalog but older versions of them (e.g. demo tracks indexed before their
 * audio was attached) is seen. With `repair`, what differs is queued for a re-sync through the
 * outbox (the next drain rewrites or removes it).
 */
export async function compareSearchWithCatalog(
  ports: Pick<Ports, "db" | "search">,
  kind: SearchKind,
  options: { repair?: boolean } = {},
): Promise<SearchDriftReport> {
  const indexed = await ports.search.digests(kind);
  const differing: string[] = [];
  let catalog = 0;
  let missing = 0;
  let stale = 0;
  const seen = new Set<string>();
  for await (const batch of catalogDocuments(ports.db, 1000, [kind])) {
    for (const doc of batch) {
      catalog++;
      seen.add(doc.id);
      const have = indexed.get(doc.id);
      if (have === documentDigest(doc)) continue;
      if (have === undefined) missing++;
      else stale++;
      differing.push(doc.id);
    }
  }
  let extra = 0;
  for (const id of indexed.keys())
    if (!seen.has(id)) {
      extra++;
      differing.push(id);
    }
  // Documents with a search event still to deliver are in flight, not drifted.
  const pending = await pendingSearchIds(ports.db, KEY[kind]);
  if (pending.size > 0) {
    const inFlight = differing.filter((id) => pending.has(id));
    for (const id of inFlight) {
      if (!seen.has(id)) extra--;
      else if (indexed.has(id)) stale--;
      else missing--;
    }
    differing.splice(0, differing.length, ...differing.filter((id) => !pending.has(id)));
  }
  let queued = 0;
  if (options.repair && differing.length > 0) {
    for (let i = 0; i < differing.length; i += 1000)
      await enqueueSearchSync(ports.db, { [KEY[kind]]: differing.slice(i, i + 1000) });
    queued = Math.ceil(differing.length / 1000);
  }
  return {
    kind,
    catalog,
    indexed: indexed.size,
    missing,
    extra,
    stale,
    sample: differing.slice(0, 5),
    queued,
  };
}

/**
 * Every kind — tracks, artists, albums, public playlists — compared and (with `repair`) re-synced
 * in turn: a kind whose documents were rewritten behind the index's back (an artist renamed while
 * its search event was lost) is seen by content like a track.
 */
export async function compareEverySearchKind(
  ports: Pick<Ports, "db" | "search">,
  options: { repair?: boolean } = {},
): Promise<SearchDriftReport[]> {
  const reports: SearchDriftReport[] = [];
  for (const kind of SEARCH_KINDS)
    reports.push(await compareSearchWithCatalog(ports, kind, options));
  return reports;
}

async function pendingSearchIds(db: Db, key: keyof SearchChanges): Promise<Set<string>> {
  const result: unknown = await db.execute(sql`
    select distinct jsonb_array_elements_text(payload -> ${key}::text) as id
    from outbox_events where topic = 'search' and jsonb_typeof(payload -> ${key}::text) = 'array'`);
  return new Set(rowsOf<{ id: string }>(result).map((r) => r.id));
}
