import { inArray } from "drizzle-orm";
import type { Ctx } from "../context";
import type { Executor } from "../db/types";
import { tracks } from "../track/track.sql";
import { loadDocuments } from "./documents";
import type { DocumentRef, SearchDocument, SearchKind } from "./port";

import type { SearchChanges } from "./changes";

export type { SearchChanges } from "./changes";

const SLICE = 1000;

const KINDS: [keyof SearchChanges, SearchKind][] = [
  ["tracks", "track"],
  ["artists", "artist"],
  ["albums", "album"],
  ["playlists", "playlist"],
];

/**
 * Brings the search index in step with committed catalog rows: each id is reloaded from the
 * database and upserted, or removed when the row (or a playlist's public flag) is gone.
 * Writes reach it through the outbox (`effects.syncSearch` in `db/transaction.ts`, delivered by
 * `search/outbox.ts`), which calls this with `rethrow` so a failed batch is delivered again.
 */
export async function syncSearch(
  ctx: Pick<Ctx, "db" | "search" | "log">,
  changes: SearchChanges,
  /** The pipeline's index step rethrows, so its Retry and Catch handle the failure. */
  options: { rethrow?: boolean } = {},
): Promise<void> {
  try {
    const docs: SearchDocument[] = [];
    const gone: DocumentRef[] = [];
    for (const [key, kind] of KINDS) {
      const ids = [...new Set((changes[key] ?? []).filter((id): id is string => !!id))];
      if (ids.length === 0) continue;
      // In slices, so a large change set (e.g. a popularity refresh) stays within query limits.
      for (let i = 0; i < ids.length; i += SLICE) {
        const slice = ids.slice(i, i + SLICE);
        const loaded = await loadDocuments(ctx.db, kind, slice);
        const found = new Set(loaded.map((doc) => doc.id));
        docs.push(...loaded);
        for (const id of slice) if (!found.has(id)) gone.push({ kind, id });
      }
    }
    for (let i = 0; i < docs.length; i += SLICE) await ctx.search.upsert(docs.slice(i, i + SLICE));
    for (let i = 0; i < gone.length; i += SLICE) await ctx.search.remove(gone.slice(i, i + SLICE));
  } catch (error) {
    if (options.rethrow) throw error;
    ctx.log.error(
      { err: error, changes },
      "search index update failed; `npm run search:reindex` repairs it",
    );
  }
}

/** The tracks with their artists and albums, whose counts and popularity they feed. */
export async function trackChanges(db: Executor, trackIds: string[]): Promise<SearchChanges> {
  if (trackIds.length === 0) return {};
  const rows: { artistId: string; albumId: string | null }[] = [];
  for (let i = 0; i < trackIds.length; i += SLICE)
    rows.push(
      ...(await db
        .select({ artistId: tracks.artistId, albumId: tracks.albumId })
        .from(tracks)
        .where(inArray(tracks.id, trackIds.slice(i, i + SLICE)))),
    );
  return {
    tracks: trackIds,
    artists: [...new Set(rows.map((r) => r.artistId))],
    albums: [...new Set(rows.map((r) => r.albumId))],
  };
}
