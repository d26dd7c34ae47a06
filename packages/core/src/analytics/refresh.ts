import { sql } from "drizzle-orm";
import type { Ctx } from "../context";
import { transaction } from "../db/transaction";
import { setTrackPlayStats, trackEffects } from "../track/index";
import * as Q from "./sql/queries.sql";

/** Popularity counts plays of the last 30 days. */
export const POPULARITY_WINDOW_DAYS = 30;
/** Daily aggregates are rewritten for today and the days before it (late events land there). */
export const WAREHOUSE_DAYS = 3;

export interface RefreshResult {
  tracksUpdated: number;
  trackDays: number;
  artistDays: number;
  platformDays: number;
}

/**
 * Refreshes tracks.popularity (0–100, log-scaled against the most played track of the window)
 * and play_count (all time) from the analytics rollups, and upserts the data_warehouse daily
 * aggregates of the last few days. Idempotent: safe to run every minute, from any process.
 * Caches of track lists are invalidated after, only when a track changed.
 */
export async function refreshAnalyticsAggregates(
  ctx: Ctx,
  now = Date.now(),
): Promise<RefreshResult> {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const store = ctx.analytics.store;
  const [popularity, trackDays, artistDays, platformDays] = await Promise.all([
    store.select<{ id: string; recent: number | string; total: number | string }>(Q.POPULARITY, {
      fromDay: day(now - POPULARITY_WINDOW_DAYS * 86_400_000),
    }),
    store.select<Row>(Q.DAILY_TRACK_STATS, {
      fromDay: day(now - (WAREHOUSE_DAYS - 1) * 86_400_000),
    }),
    store.select<Row>(Q.DAILY_ARTIST_STATS, {
      fromDay: day(now - (WAREHOUSE_DAYS - 1) * 86_400_000),
    }),
    store.select<Record<string, string | number>>(Q.DAILY_PLATFORM_STATS, {
      fromDay: day(now - (WAREHOUSE_DAYS - 1) * 86_400_000),
    }),
  ]);

  const max = Math.max(0, ...popularity.map((p) => Number(p.recent)));
  const scores = popularity.map((p) => ({
    id: p.id,
    p: max > 0 ? Math.round((100 * Math.log1p(Number(p.recent))) / Math.log1p(max)) : 0,
    c: Number(p.total),
  }));

  const changed: string[] = [];
  for (let i = 0; i < scores.length; i += 5000) {
    const part = scores.slice(i, i + 5000);
    await transaction(ctx, async (tx, effects) => {
      const ids = await setTrackPlayStats(tx, part);
      // Popularity also breaks ties in search and orders `sort=popularity` results.
      if (ids.length > 0) trackEffects(ctx, effects, ...ids);
      changed.push(...ids);
    });
  }

  await upsertDaily(ctx, "daily_track_stats", "track_id", trackDays);
  await upsertDaily(ctx, "daily_artist_stats", "artist_id", artistDays);
  if (platformDays.length > 0) {
    const json = JSON.stringify(
      platformDays.map((d) => ({
        day: d["date"],
        active: Number(d["active_users"]),
        plays: Number(d["plays"]),
        searches: Number(d["searches"]),
        requests: Number(d["requests"]),
      })),
    );
    // new_users comes from the catalog itself: registrations are PostgreSQL rows.
    await ctx.db.execute(sql`
      insert into data_warehouse.daily_platform_stats as d
        (day, active_users, new_users, plays, searches, api_requests)
      select v.day, v.active, (select count(*) from users u
          where u.created_at >= v.day and u.created_at < v.day + 1), v.plays, v.searches, v.requests
      from jsonb_to_recordset(${json}::jsonb)
        as v(day date, active int, plays int, searches int, requests bigint)
      on conflict (day) do update set active_users = excluded.active_users,
        new_users = excluded.new_users, plays = excluded.plays, searches = excluded.searches,
        api_requests = excluded.api_requests`);
  }
  return {
    tracksUpdated: changed.length,
    trackDays: trackDays.length,
    artistDays: artistDays.length,
    platformDays: platformDays.length,
  };
}

interface Row {
  date: string;
  id: string;
  plays: number | string;
  unique_listeners: number | string;
  play_ms: number | string;
}

async function upsertDaily(
  ctx: Ctx,
  table: "daily_track_stats" | "daily_artist_stats",
  idColumn: "track_id" | "artist_id",
  rows: Row[],
) {
  for (let i = 0; i < rows.length; i += 5000) {
    const json = JSON.stringify(
      rows.slice(i, i + 5000).map((r) => ({
        day: r.date,
        id: r.id,
        plays: Number(r.plays),
        listeners: Number(r.unique_listeners),
        ms: Number(r.play_ms),
      })),
    );
    await ctx.db.execute(sql`
      insert into ${sql.raw(`data_warehouse.${table}`)} as d
        (day, ${sql.raw(idColumn)}, plays, unique_listeners, total_play_ms)
      select v.day, v.id, v.plays, v.listeners, v.ms
      from jsonb_to_recordset(${json}::jsonb) as v(day date, id uuid, plays int, listeners int, ms bigint)
      on conflict (day, ${sql.raw(idColumn)}) do update set plays = excluded.plays,
        unique_listeners = excluded.unique_listeners, total_play_ms = excluded.total_play_ms`);
  }
}
