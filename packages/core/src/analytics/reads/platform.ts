import { gte, sql } from "drizzle-orm";
import type { Actor, Ctx } from "../../context";
import type { Db } from "../../db/types";
import { CommonErrors } from "../../errors";
import { users } from "../../user/user.sql";
import * as Q from "../sql/queries.sql";
import { periodBounds, type Period } from "../time";
import { num, rate, type N } from "./shared";

/**
 * Sign-ups today, in the last 7 and 30 days and in the period: the one part of the platform
 * figures the catalog answers (`users.created_at`), in one indexed range count. Exported for
 * bench:analytics, whose raw baseline runs the same queries as the endpoint.
 */
export function registrationCounts(db: Db, now: number, period: Period) {
  const { from, today } = periodBounds(period, now);
  const dayMs = 86_400_000;
  const since = (days: number) => new Date(now - days * dayMs).toISOString();
  const fromIso = `${from.replace(" ", "T")}Z`;
  // Timestamps travel as ISO text with a cast: postgres.js cannot bind a Date in raw SQL.
  const registeredSince = (iso: string) =>
    sql<number>`count(*) filter (where ${users.createdAt} >= ${iso}::timestamptz)`.mapWith(Number);
  return db
    .select({
      day: registeredSince(`${today}T00:00:00Z`),
      week: registeredSince(since(7)),
      month: registeredSince(since(30)),
      period: registeredSince(fromIso),
    })
    .from(users)
    .where(gte(users.createdAt, new Date(Math.min(now - 30 * dayMs, Date.parse(fromIso)))));
}

/** Platform-wide analytics for admins. */
export async function getPlatformAnalytics(ctx: Ctx, actor: Actor, period: Period) {
  if (actor.role !== "admin")
    throw CommonErrors.forbidden("Only admins can see platform analytics.");
  const now = Date.now();
  const { from, fromDay, today } = periodBounds(period, now);
  const p = { from, fromDay, today, limit: 20 };
  const store = ctx.analytics.store;
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
    registrationCounts(ctx.db, now, period),
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
