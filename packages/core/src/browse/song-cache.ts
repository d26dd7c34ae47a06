import { createLru } from "../util/lru";
import type { Cache } from "../cache/cache";
import type { Executor } from "../db/types";
import type { TrackView } from "../track/views";
import { sql } from "drizzle-orm";
import { tracks } from "../track/track.sql";
import { albumCatalogSummaries, catalogGeneration, type AlbumSummary } from "./index";
import { songRecords, trackStates, type TrackState } from "./songs";

/**
 * The catalog part of songs for the player apps, per process: valid while the catalog's "tracks"
 * generation (bumped by every track write and by ingestion) is unchanged, 30 s at most.
 */
const songViews = createLru<string, { gen: string; view: TrackView }>(50_000, { ttl: 30_000 });

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
    catalogGeneration(ctx.cache),
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

/**
 * An album with its songs for `getAlbum`, in one statement when warm: the album's track ids in
 * disc/track order with the user's state of each, and the user's star and rating of the album
 * (uncorrelated subqueries, evaluated once); stats and song rows from the per-process caches.
 * undefined when the album has no songs (the caller takes the general path).
 */
export async function albumWithSongs(
  ctx: { db: Executor; cache: Cache },
  userId: string,
  albumId: string,
): Promise<{ album: AlbumSummary; songs: { view: TrackView; state: TrackState }[] } | undefined> {
  const [gen, rows] = await Promise.all([
    catalogGeneration(ctx.cache),
    ctx.db
      .select({
        id: tracks.id,
        starred: sql<
          Date | string | null
        >`(select l.created_at from track_likes l where l.user_id = ${userId} and l.track_id = ${tracks.id})`,
        rating: sql<
          number | null
        >`(select r.rating from track_ratings r where r.user_id = ${userId} and r.track_id = ${tracks.id})`,
        average: sql<
          number | null
        >`(select avg(r.rating)::real from track_ratings r where r.track_id = ${tracks.id})`,
        albumStarred: sql<
          Date | string | null
        >`(select l.created_at from album_likes l where l.user_id = ${userId} and l.album_id = ${albumId})`,
        albumRating: sql<
          number | null
        >`(select r.rating from album_ratings r where r.user_id = ${userId} and r.album_id = ${albumId})`,
      })
      .from(tracks)
      .where(sql`${tracks.albumId} = ${albumId}`)
      .orderBy(tracks.discNumber, tracks.trackNumber, tracks.title, tracks.id)
      .limit(1000),
  ]);
  const first = rows[0];
  if (!first) return undefined;
  const album = (await albumCatalogSummaries(ctx.db, gen, [albumId])).get(albumId);
  if (!album) return undefined;
  const ids = rows.map((r) => r.id);
  const missing = ids.filter((id) => songViews.get(id)?.gen !== gen);
  if (missing.length > 0)
    for (const record of await songRecords(ctx.db, userId, { ids: missing }))
      songViews.set(record.view.id, { gen, view: record.view });
  const songs = rows.flatMap((r) => {
    const view = songViews.get(r.id)?.view;
    if (!view) return [];
    const state: TrackState = {
      starred: r.starred ? new Date(r.starred) : undefined,
      userRating: r.rating === null ? undefined : Number(r.rating),
      averageRating: r.average === null ? undefined : Math.round(Number(r.average) * 100) / 100,
    };
    return [{ view, state }];
  });
  return {
    album: {
      ...album,
      ...(first.albumStarred ? { starred: new Date(first.albumStarred) } : {}),
      ...(first.albumRating != null ? { userRating: Number(first.albumRating) } : {}),
    },
    songs,
  };
}
