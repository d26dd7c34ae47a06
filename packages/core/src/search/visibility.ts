import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/types";
import { playlists } from "../playlist/playlist.sql";
import type { SearchKind } from "./port";

/**
 * Drops playlists that are no longer public from search answers. The index is kept in step
 * after commit, but a sync that failed (or landed out of order) must never show a private
 * playlist: the catalog has the last word, checked for the (at most a page of) ids shown.
 */
export async function onlyVisible<T>(
  db: Db,
  items: readonly T[],
  ref: (item: T) => { kind: SearchKind; id: string },
): Promise<{ items: T[]; dropped: number }> {
  const ids = items
    .map(ref)
    .filter((r) => r.kind === "playlist")
    .map((r) => r.id);
  if (ids.length === 0) return { items: [...items], dropped: 0 };
  const visible = new Set(
    (
      await db
        .select({ id: playlists.id })
        .from(playlists)
        .where(and(inArray(playlists.id, ids), eq(playlists.isPublic, true)))
    ).map((r) => r.id),
  );
  const kept = items.filter((item) => {
    const r = ref(item);
    return r.kind !== "playlist" || visible.has(r.id);
  });
  return { items: kept, dropped: items.length - kept.length };
}
