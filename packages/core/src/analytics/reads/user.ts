import { eq } from "drizzle-orm";
import type { Actor, Ctx } from "../../context";
import { CommonErrors } from "../../errors";
import { users } from "../../user/user.sql";
import * as Q from "../sql/queries.sql";
import { periodBounds, type Period } from "../time";
import { catalogNames, num, topOf, type N } from "./shared";

/** A listener's own analytics: totals, top tracks/artists/genres, activity, streak. */
interface UserSummaryRow {
  set: N;
  track: string | null;
  artist: string | null;
  genre: N;
  hour: N;
  weekday: N;
  day: string | null;
  plays: N;
  listening_ms: N;
  distinct_tracks: N;
  distinct_artists: N;
  searches: N;
}

export async function getUserAnalytics(ctx: Ctx, actor: Actor, userId: string, period: Period) {
  if (actor.userId !== userId && actor.role !== "admin")
    throw CommonErrors.forbidden("You can only see your own analytics.");
  const { from } = periodBounds(period);
  const store = ctx.analytics.store;
  // The catalog check runs beside the analytics queries (PGlite on this thread, chDB off it).
  const [user, summary, days] = await Promise.all([
    ctx.db.select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1),
    store.select<UserSummaryRow>(Q.USER_SUMMARY, { user: userId, from }),
    store.select<{ day: string }>(Q.USER_DAYS, { user: userId }),
  ]);
  if (user.length === 0) throw CommonErrors.notFound("user", userId);
  const bySet = (n: number) => summary.filter((r) => num(r.set) === n);
  const topTracks = topOf(bySet(1).filter((r) => r.track !== null));
  const topArtists = topOf(bySet(2).filter((r) => r.artist !== null));
  const topGenres = topOf(bySet(3).filter((r) => r.genre !== null));
  const names = await catalogNames(ctx, {
    tracks: topTracks.map((r) => r.track!),
    artists: topArtists.map((r) => r.artist!),
    genres: topGenres.map((r) => num(r.genre)),
  });
  const byHour = Array.from({ length: 24 }, (_, hour) => ({ hour, plays: 0 }));
  const byWeekday = Array.from({ length: 7 }, (_, i) => ({ weekday: i + 1, plays: 0 }));
  for (const a of bySet(4)) {
    if (a.hour === null || a.weekday === null) continue;
    byHour[num(a.hour)]!.plays += num(a.plays);
    byWeekday[num(a.weekday) - 1]!.plays += num(a.plays);
  }
  const t = bySet(0)[0];
  return {
    userId,
    period,
    plays: num(t?.plays),
    listeningTimeMs: num(t?.listening_ms),
    distinctTracks: num(t?.distinct_tracks),
    distinctArtists: num(t?.distinct_artists),
    searches: num(t?.searches),
    topTracks: topTracks.map((r) => ({
      trackId: r.track!,
      title: names.get(`t:${r.track}`) ?? null,
      plays: num(r.plays),
      listeningTimeMs: num(r.listening_ms),
    })),
    topArtists: topArtists.map((r) => ({
      artistId: r.artist!,
      name: names.get(`a:${r.artist}`) ?? null,
      plays: num(r.plays),
      listeningTimeMs: num(r.listening_ms),
    })),
    topGenres: topGenres.map((r) => ({
      genreId: num(r.genre),
      name: names.get(`g:${num(r.genre)}`) ?? null,
      plays: num(r.plays),
      listeningTimeMs: num(r.listening_ms),
    })),
    activityByHour: byHour,
    activityByWeekday: byWeekday,
    /** Plays per ISO weekday (1 = Monday) and UTC hour, for a heatmap (cells with no play omitted). */
    activity: bySet(4)
      .filter((a) => a.hour !== null && a.weekday !== null)
      .map((a) => ({ weekday: num(a.weekday), hour: num(a.hour), plays: num(a.plays) }))
      .filter((a) => a.plays > 0)
      .sort((x, y) => x.weekday - y.weekday || x.hour - y.hour),
    /** Listening time and plays per UTC day with a play, oldest first. */
    listeningPerDay: bySet(5)
      .filter((d) => d.day !== null && num(d.plays) > 0)
      .map((d) => ({
        day: String(d.day).slice(0, 10),
        listeningTimeMs: num(d.listening_ms),
        plays: num(d.plays),
      }))
      .sort((x, y) => x.day.localeCompare(y.day)),
    streak: listeningStreak(days.map((d) => d.day)),
  };
}

/**
 * Consecutive days with a play: `current` ends today (or yesterday: today is not over),
 * `longest` is the longest run among the days read (newest 400).
 */
export function listeningStreak(daysDesc: string[], today = new Date().toISOString().slice(0, 10)) {
  const dayNo = (d: string) => Math.round(Date.parse(`${d}T00:00:00Z`) / 86_400_000);
  const nums = [...new Set(daysDesc.map(dayNo))].sort((a, b) => b - a);
  const t = dayNo(today);
  let current = 0;
  if (nums[0] === t || nums[0] === t - 1) {
    current = 1;
    while (current < nums.length && nums[current] === nums[0] - current) current++;
  }
  let longest = 0;
  let run = 0;
  for (let i = 0; i < nums.length; i++) {
    run = i > 0 && nums[i] === nums[i - 1]! - 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  return { currentDays: current, longestDays: longest, lastListenedOn: daysDesc[0] ?? null };
}
