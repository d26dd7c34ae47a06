import { eq } from "drizzle-orm";
import { artists } from "../../artist/artist.sql";
import type { Actor, Ctx } from "../../context";
import { CommonErrors } from "../../errors";
import * as Q from "../sql/queries.sql";
import { periodBounds, type Period } from "../time";
import {
  catalogNames,
  num,
  rate,
  settled,
  sources,
  splitDaily,
  topOf,
  type DailyRow,
  type N,
} from "./shared";

/** An artist's analytics for the artist or an admin: totals, top tracks, sources. */
interface ArtistBreakdownRow {
  track: string | null;
  platform: string | null;
  device_type: string | null;
  plays: N;
  unique_listeners: N;
  completes: N;
  skips: N;
}

export async function getArtistAnalytics(ctx: Ctx, actor: Actor, artistId: string, period: Period) {
  const { from, fromDay } = periodBounds(period);
  const p = { artist: artistId, from, fromDay };
  const store = ctx.analytics.store;
  const [artistRows, dailyRead, breakdownRead] = await Promise.allSettled([
    ctx.db
      .select({ id: artists.id, name: artists.name, userId: artists.userId })
      .from(artists)
      .where(eq(artists.id, artistId))
      .limit(1),
    store.select<DailyRow>(Q.ARTIST_DAILY, p),
    store.select<ArtistBreakdownRow>(Q.ARTIST_BREAKDOWN, p),
  ]);
  const artist = settled(artistRows)[0];
  if (!artist) throw CommonErrors.notFound("artist", artistId);
  if (actor.role !== "admin" && artist.userId !== actor.userId)
    throw CommonErrors.forbidden("Only the artist or an admin can see these analytics.");
  const daily = settled(dailyRead);
  const breakdown = settled(breakdownRead);
  const top = topOf(breakdown.filter((r) => r.track !== null));
  const names = await catalogNames(ctx, { tracks: top.map((r) => r.track!) });
  const { totals: t, days } = splitDaily(daily);
  return {
    artistId,
    name: artist.name,
    period,
    plays: num(t?.plays),
    uniqueListeners: num(t?.unique_listeners),
    listeningTimeMs: num(t?.listening_ms),
    topTracks: top.map((r) => ({
      trackId: r.track!,
      title: names.get(`t:${r.track}`) ?? null,
      plays: num(r.plays),
      uniqueListeners: num(r.unique_listeners),
      completionRate: rate(num(r.completes), num(r.plays)),
      skipRate: rate(num(r.skips), num(r.plays)),
    })),
    playsPerDay: days,
    ...sources(breakdown.filter((r) => r.track === null)),
  };
}
