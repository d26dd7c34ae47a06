import { eq } from "drizzle-orm";
import { artists } from "../../artist/artist.sql";
import type { Actor, Ctx } from "../../context";
import { CommonErrors } from "../../errors";
import { tracks } from "../../track/track.sql";
import * as Q from "../sql/queries.sql";
import { periodBounds, type Period } from "../time";
import { num, rate, settled, sources, splitDaily, type DailyRow, type N } from "./shared";

/** A track's analytics for its artist or an admin. */
export async function getTrackAnalytics(ctx: Ctx, actor: Actor, trackId: string, period: Period) {
  const { from, fromDay } = periodBounds(period);
  const p = { track: trackId, from, fromDay };
  const store = ctx.analytics.store;
  // The reads run side by side; who may see them is decided first, so a stranger gets 403/404
  // (never the store's 503, never data).
  const [trackRows, dailyRead, srcRead] = await Promise.allSettled([
    ctx.db
      .select({ id: tracks.id, title: tracks.title, ownerId: artists.userId })
      .from(tracks)
      .innerJoin(artists, eq(artists.id, tracks.artistId))
      .where(eq(tracks.id, trackId))
      .limit(1),
    store.select<DailyRow>(Q.TRACK_DAILY, p),
    store.select<{ platform: string; device_type: string; plays: N; avg_completion: N }>(
      Q.TRACK_SOURCES,
      p,
    ),
  ]);
  const track = settled(trackRows)[0];
  if (!track) throw CommonErrors.notFound("track", trackId);
  if (actor.role !== "admin" && track.ownerId !== actor.userId)
    throw CommonErrors.forbidden("Only the track's artist or an admin can see these analytics.");
  const daily = settled(dailyRead);
  const src = settled(srcRead);
  const { totals: t, days } = splitDaily(daily);
  const plays = num(t?.plays);
  let completionSum = 0;
  for (const r of src) completionSum += num(r.avg_completion) * num(r.plays);
  return {
    trackId,
    title: track.title,
    period,
    plays,
    uniqueListeners: num(t?.unique_listeners),
    listeningTimeMs: num(t?.listening_ms),
    completionRate: rate(num(t?.completes), plays),
    skipRate: rate(num(t?.skips), plays),
    averageCompletionPercentage: plays > 0 ? Math.round((completionSum / plays) * 100) / 100 : 0,
    playsPerDay: days,
    ...sources(src),
  };
}
