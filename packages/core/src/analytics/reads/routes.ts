import type { AnalyticsStore } from "../store";
import * as Q from "../sql/queries.sql";
import { chTime } from "../time";
import { num, rate, type N } from "./shared";

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
