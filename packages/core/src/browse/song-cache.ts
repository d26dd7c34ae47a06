import { LRUCache } from "lru-cache";
import type { Cache } from "../cache/cache";
import type { Executor } from "../db/types";
import type { TrackView } from "../track/views";
import { namespaceKey } from "../util/json-cache";
import { songRecords, trackStates, type TrackState } from "./songs";

/**
 * The catalog part of songs for the player apps, per process: valid while the catalog's "tracks"
 * generation (bumped by every track write and by ingestion) is unchanged, 30 s at most.
 */
const songViews = new LRUCache<string, { gen: string; view: TrackView }>({
  max: 50_000,
  ttl: 30_000,
});

/**
 * `songRecords` by ids for the apps' hot lists (search3, random songs, top songs, starred…):
 * when warm, one light statement (the user's star and rating and the average rating of these
 * ids); the catalog rows come from the cache, and only songs not cached cost a second one.
 */
export async function songRecordsByIds(
  ctx: { db: Executor; cache: Cache },
  userId: string,
  ids: string[],
): Promise<{ view: TrackView; state: TrackState }[]> {
  if (ids.length === 0) return [];
  const [gen, states] = await Promise.all([
    namespaceKey(ctx.cache, "tracks", "song-views"),
    trackStates(ctx.db, userId, ids),
  ]);
  const missing = ids.filter((id) => states.has(id) && songViews.get(id)?.gen !== gen);
  if (missing.length > 0)
    for (const record of await songRecords(ctx.db, userId, { ids: missing }))
      songViews.set(record.view.id, { gen, view: record.view });
  return ids.flatMap((id) => {
    const view = songViews.get(id)?.view;
    const state = states.get(id);
    return view && state ? [{ view, state }] : [];
  });
}
