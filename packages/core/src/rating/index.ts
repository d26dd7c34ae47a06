import { and, avg, eq, inArray } from "drizzle-orm";
import { albums } from "../album/album.sql";
import { tracks } from "../track/track.sql";
import type { Actor, Ctx } from "../context";
import { toDomainError } from "../db/errors";
import type { Executor } from "../db/types";
import { CommonErrors } from "../errors";
import { albumRatings, trackRatings } from "./rating.sql";

/** Sets the user's 1–5 rating of a track; null (or 0 from Subsonic) removes it. */
export async function rateTrack(
  ctx: Pick<Ctx, "db">,
  actor: Actor,
  trackId: string,
  rating: number | null,
): Promise<{ rating: number | null }> {
  if (rating === null || rating === 0) {
    await ctx.db
      .delete(trackRatings)
      .where(and(eq(trackRatings.userId, actor.userId), eq(trackRatings.trackId, trackId)));
    return { rating: null };
  }
  if (!Number.isInteger(rating) || rating < 1 || rating > 5)
    throw CommonErrors.invalid("invalid_rating", "A rating is a whole number from 1 to 5.");
  try {
    await ctx.db
      .insert(trackRatings)
      .values({ userId: actor.userId, trackId, rating })
      .onConflictDoUpdate({
        target: [trackRatings.userId, trackRatings.trackId],
        set: { rating, updatedAt: new Date() },
      });
  } catch (error) {
    throw (
      toDomainError(error, { missingReference: () => CommonErrors.notFound("track", trackId) }) ??
      error
    );
  }
  return { rating };
}

/** The user's rating of each track (absent: unrated). */
export async function ratingMap(
  db: Executor,
  userId: string,
  trackIds: readonly string[],
): Promise<Map<string, number>> {
  if (trackIds.length === 0) return new Map();
  const rows = await db
    .select({ id: trackRatings.trackId, rating: trackRatings.rating })
    .from(trackRatings)
    .where(and(eq(trackRatings.userId, userId), inArray(trackRatings.trackId, [...trackIds])));
  return new Map(rows.map((r) => [r.id, r.rating]));
}

/** Everyone's average rating of each track (absent: nobody rated it). */
export async function averageRatingMap(
  db: Executor,
  trackIds: readonly string[],
): Promise<Map<string, number>> {
  if (trackIds.length === 0) return new Map();
  const rows = await db
    .select({ id: trackRatings.trackId, avg: avg(trackRatings.rating) })
    .from(trackRatings)
    .where(inArray(trackRatings.trackId, [...trackIds]))
    .groupBy(trackRatings.trackId);
  return new Map(rows.map((r) => [r.id, Number(r.avg)]));
}

/** Sets the user's 1–5 rating of an album; null (or 0 from Subsonic) removes it. */
export async function rateAlbum(
  ctx: Pick<Ctx, "db">,
  actor: Actor,
  albumId: string,
  rating: number | null,
): Promise<{ rating: number | null }> {
  if (rating === null || rating === 0) {
    await ctx.db
      .delete(albumRatings)
      .where(and(eq(albumRatings.userId, actor.userId), eq(albumRatings.albumId, albumId)));
    return { rating: null };
  }
  if (!Number.isInteger(rating) || rating < 1 || rating > 5)
    throw CommonErrors.invalid("invalid_rating", "A rating is a whole number from 1 to 5.");
  try {
    await ctx.db
      .insert(albumRatings)
      .values({ userId: actor.userId, albumId, rating })
      .onConflictDoUpdate({
        target: [albumRatings.userId, albumRatings.albumId],
        set: { rating, updatedAt: new Date() },
      });
  } catch (error) {
    throw (
      toDomainError(error, { missingReference: () => CommonErrors.notFound("album", albumId) }) ??
      error
    );
  }
  return { rating };
}

/** The user's rating of an album (null: unrated); 404 when there is no such album. */
export async function albumRatingOf(
  db: Executor,
  userId: string,
  albumId: string,
): Promise<number | null> {
  const [row] = await db
    .select({ rating: albumRatings.rating })
    .from(albums)
    .leftJoin(
      albumRatings,
      and(eq(albumRatings.albumId, albums.id), eq(albumRatings.userId, userId)),
    )
    .where(eq(albums.id, albumId));
  if (!row) throw CommonErrors.notFound("album", albumId);
  return row.rating ?? null;
}

/** The user's rating of a track (null: unrated); 404 when there is no such track. */
export async function trackRatingOf(
  db: Executor,
  userId: string,
  trackId: string,
): Promise<number | null> {
  const [row] = await db
    .select({ rating: trackRatings.rating })
    .from(tracks)
    .leftJoin(
      trackRatings,
      and(eq(trackRatings.trackId, tracks.id), eq(trackRatings.userId, userId)),
    )
    .where(eq(tracks.id, trackId));
  if (!row) throw CommonErrors.notFound("track", trackId);
  return row.rating ?? null;
}
