import { sql } from "drizzle-orm";
import { rowsOf } from "../db/rows";
import type { Executor } from "../db/types";
import type { SearchKind } from "./port";

/**
 * Versions of search documents. A document is built from several catalog rows (a track's
 * document carries its artist's name, its album's title, its genre, its popularity), so no single
 * row's `updated_at` orders its loads. Instead each load is versioned itself: in one transaction
 * it takes the documents' advisory locks, then the next value of `search_document_version`, then
 * reads the documents. A second load of the same document waits for the first to commit, so it
 * reads after everything the first read was committed — and takes a higher version. Both
 * adapters refuse a write whose version is not above the stored one (OpenSearch
 * `version_type=external`; the embedded adapter's `where version < excluded.version` and its
 * tombstones), so whichever process delivers last, the newest load stays.
 */

/**
 * Documents are locked by bucket (kind and id hashed into one of these): a load of 1,000 documents
 * takes at most 256 locks of the shared lock table, and unrelated loads rarely wait on each other.
 */
const LOCK_BUCKETS = 256;

const textArray = (values: readonly string[]) =>
  sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;

/** In `tx`: locks the documents' buckets (in order, so two loads never deadlock), then a version. */
export async function takeVersion(
  tx: Executor,
  kind: SearchKind,
  ids: readonly string[],
): Promise<number> {
  if (ids.length > 0)
    await tx.execute(sql`
      select pg_advisory_xact_lock(hashtext('jonquils.search.documents'), b)
      from (select distinct ((hashtextextended(${kind} || ':' || k, 0) % ${LOCK_BUCKETS} + ${LOCK_BUCKETS}) % ${LOCK_BUCKETS})::int as b
            from unnest(${textArray(ids)}) k order by 1) buckets`);
  const [row] = rowsOf<{ v: string | number }>(
    await tx.execute(sql`select nextval('search_document_version') as v`),
  );
  return Number(row!.v);
}
