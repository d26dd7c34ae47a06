import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { artists } from "../artist/artist.sql";
import type { Actor, Ctx } from "../context";
import { AppError, CommonErrors } from "../errors";
import { genres } from "../genre/genre.sql";
import { listeningHistory } from "../listening/listening.sql";
import { tracks } from "../track/track.sql";
import { users } from "../user/user.sql";
import { recordListenEvent } from "./port";
import { listenAction, type ListenAction } from "./records";
import * as Q from "./sql/queries.sql";

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

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const rate = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 1e4) / 1e4 : 0;

// ------------------------------------------------------------------ listen

export interface ListenInput {
  trackId: string;
  playDurationMs: number;
  completionPercentage?: number | undefined;
  platform: string;
  deviceType: string;
  playedAt?: Date | undefined;
}

export interface ListenResult {
  id: number;
  trackId: string;
  playedAt: string;
  playDurationMs: number;
  completionPercentage: number;
  action: ListenAction;
}

/**
 * Records a play: a listening_history row in PostgreSQL (the user's own history) and an
 * analytics event on the queue (enqueued, never awaited).
 */
export async function recordListen(
  ctx: Ctx,
  actor: Actor,
  input: ListenInput,
): Promise<ListenResult> {
  const [track] = await ctx.db
    .select({
      id: tracks.id,
      artistId: tracks.artistId,
      genreId: tracks.genreId,
      durationMs: tracks.durationMs,
    })
    .from(tracks)
    .where(eq(tracks.id, input.trackId))
    .limit(1);
  if (!track) throw CommonErrors.notFound("track", input.trackId);
  let completion = input.completionPercentage;
  if (completion === undefined) {
    if (track.durationMs <= 0)
      throw new AppError(
        "completion_required",
        400,
        "This track has no known duration: send completionPercentage.",
      );
    completion = Math.min(100, (input.playDurationMs / track.durationMs) * 100);
  }
  completion = Math.round(completion * 100) / 100;
  const playedAt = input.playedAt ?? new Date();
  const [row] = await ctx.db
    .insert(listeningHistory)
    .values({
      userId: actor.userId,
      trackId: track.id,
      playedAt,
      playDurationMs: input.playDurationMs,
      completionPercentage: completion,
      platform: input.platform,
      deviceType: input.deviceType,
    })
    .returning({ id: listeningHistory.id });
  recordListenEvent(ctx.analytics, {
    at: playedAt.getTime(),
    trackId: track.id,
    userId: actor.userId,
    artistId: track.artistId,
    genreId: track.genreId,
    durationPlayedMs: input.playDurationMs,
    completionPercentage: completion,
    platform: input.platform,
    deviceType: input.deviceType,
  });
  return {
    id: row!.id,
    trackId: track.id,
    playedAt: playedAt.toISOString(),
    playDurationMs: input.playDurationMs,
    completionPercentage: completion,
    action: listenAction(completion),
  };
}

// ------------------------------------------------------------------ names from the catalog

async function trackNames(ctx: Ctx, ids: string[]) {
  if (ids.length === 0) return new Map<string, { title: string; artistId: string }>();
  const rows = await ctx.db
    .select({ id: tracks.id, title: tracks.title, artistId: tracks.artistId })
    .from(tracks)
    .where(inArray(tracks.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}

async function artistNames(ctx: Ctx, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await ctx.db
    .select({ id: artists.id, name: artists.name })
    .from(artists)
    .where(inArray(artists.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function genreNames(ctx: Ctx, ids: number[]) {
  if (ids.length === 0) return new Map<number, string>();
  const rows = await ctx.db
    .select({ id: genres.id, name: genres.name })
    .from(genres)
    .where(inArray(genres.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

interface TopRow {
  id: string;
  plays: number | string;
  listening_ms: number | string;
}

// ------------------------------------------------------------------ user

export async function getUserAnalytics(ctx: Ctx, actor: Actor, userId: string, period: Period) {
  if (actor.userId !== userId && actor.role !== "admin")
    throw CommonErrors.forbidden("You can only see your own analytics.");
  const [user] = await ctx.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!user) throw CommonErrors.notFound("user", userId);
  const { from } = periodBounds(period);
  const p = { user: userId, from, limit: TOP };
  const store = ctx.analytics.store;
  const [totals, topTracks, topArtists, topGenres, activity, days] = await Promise.all([
    store.select<Record<string, number | string>>(Q.USER_TOTALS, p),
    store.select<TopRow>(Q.USER_TOP_TRACKS, p),
    store.select<TopRow>(Q.USER_TOP_ARTISTS, p),
    store.select<TopRow & { id: number }>(Q.USER_TOP_GENRES, p),
    store.select<{ hour: number; weekday: number; plays: number | string }>(Q.USER_ACTIVITY, p),
    store.select<{ day: string }>(Q.USER_DAYS, { user: userId }),
  ]);
  const [tNames, aNames, gNames] = await Promise.all([
    trackNames(
      ctx,
      topTracks.map((r) => r.id),
    ),
    artistNames(
      ctx,
      topArtists.map((r) => r.id),
    ),
    genreNames(
      ctx,
      topGenres.map((r) => Number(r.id)),
    ),
  ]);
  const byHour = Array.from({ length: 24 }, (_, hour) => ({ hour, plays: 0 }));
  const byWeekday = Array.from({ length: 7 }, (_, i) => ({ weekday: i + 1, plays: 0 }));
  for (const a of activity) {
    byHour[num(a.hour)]!.plays += num(a.plays);
    byWeekday[num(a.weekday) - 1]!.plays += num(a.plays);
  }
  const t = totals[0] ?? {};
  return {
    userId,
    period,
    plays: num(t["plays"]),
    listeningTimeMs: num(t["listening_ms"]),
    distinctTracks: num(t["distinct_tracks"]),
    distinctArtists: num(t["distinct_artists"]),
    searches: num(t["searches"]),
    topTracks: topTracks.map((r) => ({
      trackId: r.id,
      title: tNames.get(r.id)?.title ?? null,
      plays: num(r.plays),
      listeningTimeMs: num(r.listening_ms),
    })),
    topArtists: topArtists.map((r) => ({
      artistId: r.id,
      name: aNames.get(r.id) ?? null,
      plays: num(r.plays),
      listeningTimeMs: num(r.listening_ms),
    })),
    topGenres: topGenres.map((r) => ({
      genreId: Number(r.id),
      name: gNames.get(Number(r.id)) ?? null,
      plays: num(r.plays),
      listeningTimeMs: num(r.listening_ms),
    })),
    activityByHour: byHour,
    activityByWeekday: byWeekday,
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

async function assertCanSeeArtist(ctx: Ctx, actor: Actor, artistId: string) {
  if (actor.role === "admin") return;
  const [row] = await ctx.db
    .select({ id: artists.id })
    .from(artists)
    .where(and(eq(artists.id, artistId), eq(artists.userId, actor.userId)))
    .limit(1);
  if (!row)
    throw CommonErrors.forbidden("Only the track's artist or an admin can see these analytics.");
}

function sources(rows: { platform: string; device_type: string; plays: number | string }[]) {
  const platforms = new Map<string, number>();
  const devices = new Map<string, number>();
  for (const r of rows) {
    platforms.set(r.platform, (platforms.get(r.platform) ?? 0) + num(r.plays));
    devices.set(r.device_type, (devices.get(r.device_type) ?? 0) + num(r.plays));
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .map(([name, plays]) => ({ name, plays }))
      .sort((a, b) => b.plays - a.plays || a.name.localeCompare(b.name));
  return { platforms: list(platforms), devices: list(devices) };
}

type DayRow = { date: string; plays: number | string; unique_listeners: number | string };
const perDay = (rows: DayRow[]) =>
  rows
    .map((r) => ({ day: r.date, plays: num(r.plays), uniqueListeners: num(r.unique_listeners) }))
    .reverse();

export async function getTrackAnalytics(ctx: Ctx, actor: Actor, trackId: string, period: Period) {
  const [track] = await ctx.db
    .select({ id: tracks.id, title: tracks.title, artistId: tracks.artistId })
    .from(tracks)
    .where(eq(tracks.id, trackId))
    .limit(1);
  if (!track) throw CommonErrors.notFound("track", trackId);
  await assertCanSeeArtist(ctx, actor, track.artistId);
  const { from, fromDay } = periodBounds(period);
  const p = { track: trackId, from, fromDay };
  const store = ctx.analytics.store;
  const [totals, days, src] = await Promise.all([
    store.select<Record<string, number | string>>(Q.TRACK_TOTALS, p),
    store.select<DayRow>(Q.TRACK_PER_DAY, p),
    store.select<{ platform: string; device_type: string; plays: number; avg_completion: number }>(
      Q.TRACK_SOURCES,
      p,
    ),
  ]);
  const t = totals[0] ?? {};
  const plays = num(t["plays"]);
  let completionSum = 0;
  for (const r of src) completionSum += num(r.avg_completion) * num(r.plays);
  return {
    trackId,
    title: track.title,
    period,
    plays,
    uniqueListeners: num(t["unique_listeners"]),
    listeningTimeMs: num(t["listening_ms"]),
    completionRate: rate(num(t["completes"]), plays),
    skipRate: rate(num(t["skips"]), plays),
    averageCompletionPercentage: plays > 0 ? Math.round((completionSum / plays) * 100) / 100 : 0,
    playsPerDay: perDay(days),
    ...sources(src),
  };
}

export async function getArtistAnalytics(ctx: Ctx, actor: Actor, artistId: string, period: Period) {
  const [artist] = await ctx.db
    .select({ id: artists.id, name: artists.name })
    .from(artists)
    .where(eq(artists.id, artistId))
    .limit(1);
  if (!artist) throw CommonErrors.notFound("artist", artistId);
  await assertCanSeeArtist(ctx, actor, artistId);
  const { from, fromDay } = periodBounds(period);
  const p = { artist: artistId, from, fromDay, limit: TOP };
  const store = ctx.analytics.store;
  const [totals, days, top, src] = await Promise.all([
    store.select<Record<string, number | string>>(Q.ARTIST_TOTALS, p),
    store.select<DayRow>(Q.ARTIST_PER_DAY, p),
    store.select<{
      id: string;
      plays: number;
      unique_listeners: number;
      completes: number;
      skips: number;
    }>(Q.ARTIST_TOP_TRACKS, p),
    store.select<{ platform: string; device_type: string; plays: number }>(Q.ARTIST_SOURCES, p),
  ]);
  const names = await trackNames(
    ctx,
    top.map((r) => r.id),
  );
  const t = totals[0] ?? {};
  return {
    artistId,
    name: artist.name,
    period,
    plays: num(t["plays"]),
    uniqueListeners: num(t["unique_listeners"]),
    listeningTimeMs: num(t["listening_ms"]),
    topTracks: top.map((r) => ({
      trackId: r.id,
      title: names.get(r.id)?.title ?? null,
      plays: num(r.plays),
      uniqueListeners: num(r.unique_listeners),
      completionRate: rate(num(r.completes), num(r.plays)),
      skipRate: rate(num(r.skips), num(r.plays)),
    })),
    playsPerDay: perDay(days),
    ...sources(src),
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
  const since = (days: number) => new Date(now - days * dayMs);
  const [active, totals, days, zero, routes, registrations] = await Promise.all([
    store.select<Record<string, number | string>>(Q.PLATFORM_ACTIVE, p),
    store.select<Record<string, number | string>>(Q.PLATFORM_TOTALS, p),
    store.select<Record<string, number | string>>(Q.PLATFORM_PER_DAY, p),
    store.select<{ query: string; searches: number | string }>(Q.PLATFORM_ZERO_RESULT_QUERIES, p),
    store.select<{
      method: string;
      route: string;
      requests: number | string;
      server_errors: number | string;
      client_errors: number | string;
      latency: number[];
    }>(Q.PLATFORM_ROUTES, { ...p, limit: 100 }),
    ctx.db
      .select({
        day: sql<number>`count(*) filter (where ${users.createdAt} >= ${new Date(`${today}T00:00:00Z`)})`.mapWith(
          Number,
        ),
        week: sql<number>`count(*) filter (where ${users.createdAt} >= ${since(7)})`.mapWith(
          Number,
        ),
        month: sql<number>`count(*) filter (where ${users.createdAt} >= ${since(30)})`.mapWith(
          Number,
        ),
        period:
          sql<number>`count(*) filter (where ${users.createdAt} >= ${new Date(Date.parse(`${from.replace(" ", "T")}Z`))})`.mapWith(
            Number,
          ),
      })
      .from(users)
      .where(
        gte(
          users.createdAt,
          new Date(Math.min(now - 30 * dayMs, Date.parse(`${from.replace(" ", "T")}Z`))),
        ),
      ),
  ]);
  const a = active[0] ?? {};
  const t = totals[0] ?? {};
  const r = registrations[0];
  const round = (v: unknown) => Math.round(num(v) * 100) / 100;
  return {
    period,
    activeUsers: { daily: num(a["dau"]), weekly: num(a["wau"]), monthly: num(a["mau"]) },
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
