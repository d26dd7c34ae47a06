import { inArray } from "drizzle-orm";
import type { Ctx } from "../context";
import type { Executor } from "../db/types";
import { tracks } from "../track/track.sql";
import type { DocumentRef, SearchKind } from "./port";
import { loadVersionedDocuments } from "./documents";

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
 * database and upserted, or removed when the row (or a playlist's public flag) is gone — with the
 * load's version, so an older load written later by another process is refused.
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
    for (const [key, kind] of KINDS) {
      const ids = [...new Set((changes[key] ?? []).filter((id): id is string => !!id))];
      // In slices, so a large change set (e.g. a popularity refresh) stays within query limits;
      // each slice is loaded with its version and written with it (search/versions.ts).
      for (let i = 0; i < ids.length; i += SLICE) {
        const { docs, gone, version } = await loadVersionedDocuments(
          ctx.db,
          kind,
          ids.slice(i, i + SLICE),
        );
        if (docs.length > 0) await ctx.search.upsert(docs, version);
        if (gone.length > 0)
          await ctx.search.remove(
            gone.map((id): DocumentRef => ({ kind, id })),
            version,
          );
      }
    }
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
