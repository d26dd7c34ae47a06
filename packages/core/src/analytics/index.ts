import { eq, gte, sql } from "drizzle-orm";
import { artists } from "../artist/artist.sql";
import type { Actor, Ctx } from "../context";
import { CommonErrors } from "../errors";
import { tracks } from "../track/track.sql";
import { users } from "../user/user.sql";
import * as Q from "./sql/queries.sql";
import type { AnalyticsStore } from "./store";

export type { AnalyticsPort } from "./port";
export { recordSearch, recordSearchClick } from "./port";

export type Period = "week" | "month" | "year" | "all";
export const PERIOD_DAYS: Record<Exclude<Period, "all">, number> = {
  week: 7,
  month: 30,
  year: 365,
};
const TOP = 10;

/** Start of a period as ClickHouse parameters (UTC). */
export function periodBounds(period: Period, now = Date.now()) {
  const fromMs = period === "all" ? 0 : now - PERIOD_DAYS[period] * 86_400_000;
  const iso = new Date(fromMs).toISOString();
  return {
    from: `${iso.slice(0, 10)} ${iso.slice(11, 23)}`,
    fromDay: iso.slice(0, 10),
    today: new Date(now).toISOString().slice(0, 10),
  };
}

/** The value of a settled read, or its error thrown. */
function settled<T>(r: PromiseSettledResult<T>): T {
  if (r.status === "rejected") throw r.reason;
  return r.value;
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const rate = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 1e4) / 1e4 : 0;

// ------------------------------------------------------------------ listen

// A listen is written with its analytics event in one transaction (the outbox): listening/listen.ts.
export { recordListen, type ListenInput, type ListenResult } from "../listening/listen";

// ------------------------------------------------------------------ names from the catalog

/** Titles and names for the ids an analytics answer mentions, in one catalog round trip. */
async function catalogNames(
  ctx: Ctx,
  ids: { tracks?: string[]; artists?: string[]; genres?: number[] },
): Promise<Map<string, string>> {
  const parts = [];
  if (ids.tracks?.length)
    parts.push(
      sql`select 't:' || id::text as k, title as name from tracks where id in (${sql.join(
        ids.tracks.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    );
  if (ids.artists?.length)
    parts.push(
      sql`select 'a:' || id::text, name from artists where id in (${sql.join(
        ids.artists.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    );
  if (ids.genres?.length)
    parts.push(
      sql`select 'g:' || id::text, name from genres where id in (${sql.join(
        ids.genres.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    );
  if (parts.length === 0) return new Map();
  const result = await ctx.db.execute<{ k: string; name: string }>(
    sql.join(parts, sql` union all `),
  );
  const rows: { k: string; name: string }[] = Array.isArray(result)
    ? (result as { k: string; name: string }[])
    : (result as { rows: { k: string; name: string }[] }).rows;
  return new Map(rows.map((r) => [r.k, r.name]));
}

type N = number | string | null;

// ------------------------------------------------------------------ user

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

const topOf = <T extends { plays: N }>(rows: T[]) =>
  rows
    .filter((r) => num(r.plays) > 0)
    .sort((a, b) => num(b.plays) - num(a.plays))
    .slice(0, TOP);

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

// ------------------------------------------------------------------ track and artist

function sources(rows: { platform: string | null; device_type: string | null; plays: N }[]) {
  const platforms = new Map<string, number>();
  const devices = new Map<string, number>();
  for (const r of rows) {
    if (r.platform === null || r.device_type === null) continue;
    platforms.set(r.platform, (platforms.get(r.platform) ?? 0) + num(r.plays));
    devices.set(r.device_type, (devices.get(r.device_type) ?? 0) + num(r.plays));
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .map(([name, plays]) => ({ name, plays }))
      .sort((a, b) => b.plays - a.plays || a.name.localeCompare(b.name));
  return { platforms: list(platforms), devices: list(devices) };
}

interface DailyRow {
  date: string | null;
  plays: N;
  unique_listeners: N;
  listening_ms: N;
  completes?: N;
  skips?: N;
}
/** Splits a GROUPING SETS ((day), ()) answer: the totals row (date NULL) and the days, oldest first. */
function splitDaily(rows: DailyRow[]) {
  const totals = rows.find((r) => r.date === null);
  const days = rows
    .filter((r) => r.date !== null)
    .map((r) => ({ day: r.date!, plays: num(r.plays), uniqueListeners: num(r.unique_listeners) }))
    .reverse();
  return { totals, days };
}

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

// ------------------------------------------------------------------ platform

export async function getPlatformAnalytics(ctx: Ctx, actor: Actor, period: Period) {
  if (actor.role !== "admin")
    throw CommonErrors.forbidden("Only admins can see platform analytics.");
  const now = Date.now();
  const { from, fromDay, today } = periodBounds(period, now);
  const p = { from, fromDay, today, limit: 20 };
  const store = ctx.analytics.store;
  const dayMs = 86_400_000;
  const since = (days: number) => new Date(now - days * dayMs).toISOString();
  const fromIso = `${from.replace(" ", "T")}Z`;
  // Timestamps travel as ISO text with a cast: postgres.js cannot bind a Date in raw SQL.
  const registeredSince = (iso: string) =>
    sql<number>`count(*) filter (where ${users.createdAt} >= ${iso}::timestamptz)`.mapWith(Number);
  const [daily, zero, routes, registrations] = await Promise.all([
    store.select<Record<string, N>>(Q.PLATFORM_DAILY, p),
    store.select<{ query: string; searches: N }>(Q.PLATFORM_ZERO_RESULT_QUERIES, p),
    store.select<{
      method: string;
      route: string;
      requests: N;
      server_errors: N;
      client_errors: N;
      latency: number[];
    }>(Q.PLATFORM_ROUTES, { ...p, limit: 100 }),
    ctx.db
      .select({
        day: registeredSince(`${today}T00:00:00Z`),
        week: registeredSince(since(7)),
        month: registeredSince(since(30)),
        period: registeredSince(fromIso),
      })
      .from(users)
      .where(gte(users.createdAt, new Date(Math.min(now - 30 * dayMs, Date.parse(fromIso))))),
  ]);
  const t = daily.find((d) => d["date"] === null) ?? {};
  const days = daily.filter((d) => d["date"] !== null && String(d["date"]) >= fromDay);
  const r = registrations[0];
  const round = (v: unknown) => Math.round(num(v) * 100) / 100;
  return {
    period,
    activeUsers: { daily: num(t["dau"]), weekly: num(t["wau"]), monthly: num(t["mau"]) },
    registrations: {
      today: r?.day ?? 0,
      week: r?.week ?? 0,
      month: r?.month ?? 0,
      period: r?.period ?? 0,
    },
    plays: num(t["plays"]),
    searches: num(t["searches"]),
    apiRequests: num(t["requests"]),
    daily: days
      .map((d) => ({
        day: String(d["date"]),
        activeUsers: num(d["active_users"]),
        plays: num(d["plays"]),
        searches: num(d["searches"]),
        apiRequests: num(d["requests"]),
      }))
      .reverse(),
    topZeroResultQueries: zero.map((z) => ({ query: z.query, searches: num(z.searches) })),
    routes: routes.map((x) => ({
      method: x.method,
      route: x.route,
      requests: num(x.requests),
      errorRate: rate(num(x.server_errors), num(x.requests)),
      clientErrorRate: rate(num(x.client_errors), num(x.requests)),
      p50Ms: round(x.latency[0]),
      p95Ms: round(x.latency[1]),
      p99Ms: round(x.latency[2]),
    })),
  };
}

/** ClickHouse's DateTime64(3) text for a time (UTC). */
export const chTime = (d: Date) => {
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
};

/** Requests, p95 and server-error rate per route since a time: what monitoring checks. */
export async function routeWindowStats(store: AnalyticsStore, since: Date) {
  const rows = await store.select<{
    method: string;
    route: string;
    requests: N;
    errors: N;
    p95: N;
  }>(Q.ROUTE_WINDOW, { from: chTime(since) });
  return rows.map((r) => ({
    method: r.method,
    route: r.route,
    requests: num(r.requests),
    p95Ms: num(r.p95),
    errorRate: rate(num(r.errors), num(r.requests)),
  }));
}
