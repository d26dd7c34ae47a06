import type { AnalyticsPort } from "../analytics/port";
import { ROUTE_HOURLY } from "../analytics/sql/queries.sql";
import { chTime } from "../analytics/time";
import { AppError } from "../errors";

export interface RoutePoint {
  /** Start of the hour (UTC), ISO 8601. */
  at: string;
  requests: number;
  /** Share of 5xx answers, 0–1. */
  errorRate: number;
  p95Ms: number;
}

export interface RouteSeries {
  method: string;
  route: string;
  requests: number;
  points: RoutePoint[];
}

/** p95 latency and error rate per route and hour, from the analytics store's request log. */
export async function routeHourlyStats(
  analytics: AnalyticsPort,
  hours: number,
  now: number = Date.now(),
): Promise<{ from: string; bucket: "hour"; routes: RouteSeries[] }> {
  const fromMs = now - hours * 3_600_000;
  let rows: {
    at: string;
    method: string;
    route: string;
    requests: unknown;
    errors: unknown;
    p95: unknown;
  }[];
  try {
    rows = await analytics.store.select(ROUTE_HOURLY, {
      from: chTime(fromMs),
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      "analytics_unavailable",
      503,
      "Route statistics are not available right now.",
    );
  }
  const byRoute = new Map<string, RouteSeries>();
  for (const r of rows) {
    const key = `${r.method} ${r.route}`;
    let entry = byRoute.get(key);
    if (!entry)
      byRoute.set(key, (entry = { method: r.method, route: r.route, requests: 0, points: [] }));
    const requests = Number(r.requests);
    entry.requests += requests;
    entry.points.push({
      at: `${r.at.replace(" ", "T").slice(0, 19)}Z`,
      requests,
      errorRate: requests > 0 ? Math.round((Number(r.errors) / requests) * 1e4) / 1e4 : 0,
      p95Ms: Math.round(Number(r.p95) * 100) / 100,
    });
  }
  return {
    from: new Date(fromMs).toISOString(),
    bucket: "hour",
    routes: [...byRoute.values()].sort((a, b) => b.requests - a.requests),
  };
}
