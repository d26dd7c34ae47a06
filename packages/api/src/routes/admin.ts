import { OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError, schema, type Ctx } from "@jonquils/core";
import * as Q from "@jonquils/core/analytics/sql/queries.sql";
import { toPage } from "@jonquils/core/util/page";
import { desc, eq, gte, sql } from "drizzle-orm";
import type { AppEnv } from "../env";
import { requireAdmin } from "../middleware/auth";
import { defineRoute, json, PageQuery } from "../schemas";

const { etlJobs, trackUploads } = schema;

const JOB_STATUSES = ["running", "succeeded", "failed"] as const;

const EtlJob = z
  .object({
    id: z.uuid(),
    jobName: z.string(),
    status: z.enum(JOB_STATUSES),
    startTime: z.string(),
    endTime: z.string().nullable(),
    durationMs: z.number().int().nullable(),
    executionName: z.string().nullable(),
    uploadId: z.uuid().nullable(),
    filename: z.string().nullable().openapi({ description: "The uploaded file the run ingested." }),
    error: z.string().nullable().openapi({ description: "Why the run failed (status failed)." }),
  })
  .openapi("EtlJob");

const EtlJobPage = z
  .object({
    items: z.array(EtlJob),
    limit: z.number().int(),
    offset: z.number().int(),
    nextOffset: z.number().int().nullable(),
    last24h: z
      .object({ running: z.number().int(), succeeded: z.number().int(), failed: z.number().int() })
      .openapi({ description: "Runs started in the last 24 hours, by status." }),
  })
  .openapi("EtlJobPage");

const EtlJobQuery = PageQuery.extend({
  status: z.enum(JOB_STATUSES).optional().openapi({ description: "Only runs in this state." }),
});

const RouteStatsQuery = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24)
    .openapi({ description: "How far back, 1–720 hours (the request log keeps 30 days)." }),
});

const RoutePoint = z.object({
  at: z.string().openapi({ description: "Start of the hour (UTC)." }),
  requests: z.number().int(),
  errorRate: z.number().openapi({ description: "Share of 5xx answers, 0–1." }),
  p95Ms: z.number(),
});

const RouteStats = z
  .object({
    from: z.string(),
    bucket: z.literal("hour"),
    routes: z.array(
      z.object({
        method: z.string(),
        route: z.string(),
        requests: z.number().int(),
        points: z.array(RoutePoint),
      }),
    ),
  })
  .openapi("RouteStats");

/** Recent pipeline runs, newest first, with the file each ingested and why failed ones failed. */
export async function listEtlJobs(ctx: Ctx, query: z.infer<typeof EtlJobQuery>) {
  const rows = await ctx.db
    .select({
      id: etlJobs.id,
      jobName: etlJobs.jobName,
      status: etlJobs.status,
      startTime: etlJobs.startTime,
      endTime: etlJobs.endTime,
      executionName: etlJobs.executionName,
      uploadId: etlJobs.uploadId,
      error: etlJobs.error,
      filename: trackUploads.originalFilename,
    })
    .from(etlJobs)
    .leftJoin(trackUploads, eq(trackUploads.id, etlJobs.uploadId))
    .where(query.status ? eq(etlJobs.status, query.status) : undefined)
    .orderBy(desc(etlJobs.startTime), desc(etlJobs.id))
    .limit(query.limit + 1)
    .offset(query.offset);
  const since = new Date(Date.now() - 86_400_000);
  const counts = await ctx.db
    .select({ status: etlJobs.status, n: sql<number>`count(*)`.mapWith(Number) })
    .from(etlJobs)
    .where(gte(etlJobs.startTime, since))
    .groupBy(etlJobs.status);
  const last24h = { running: 0, succeeded: 0, failed: 0 };
  for (const c of counts) last24h[c.status] = c.n;
  const page = toPage(rows, query);
  return {
    ...page,
    items: page.items.map((r) => ({
      ...r,
      startTime: r.startTime.toISOString(),
      endTime: r.endTime?.toISOString() ?? null,
      durationMs: r.endTime ? r.endTime.getTime() - r.startTime.getTime() : null,
    })),
    last24h,
  };
}

/** p95 latency and error rate per route and hour, from the analytics store's request log. */
export async function routeStats(ctx: Ctx, hours: number) {
  const fromMs = Date.now() - hours * 3_600_000;
  const iso = new Date(fromMs).toISOString();
  let rows: {
    at: string;
    method: string;
    route: string;
    requests: unknown;
    errors: unknown;
    p95: unknown;
  }[];
  try {
    rows = await ctx.analytics.store.select(Q.ROUTE_HOURLY, {
      from: `${iso.slice(0, 10)} ${iso.slice(11, 23)}`,
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      "analytics_unavailable",
      503,
      "Route statistics are not available right now.",
    );
  }
  const byRoute = new Map<string, z.infer<typeof RouteStats>["routes"][number]>();
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
    from: iso,
    bucket: "hour" as const,
    routes: [...byRoute.values()].sort((a, b) => b.requests - a.requests),
  };
}

/** Operator views for the web app's ops page: /api/v1/admin/etl-jobs and /route-stats. Admins only. */
export function adminRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  const tags = ["admin"];

  app.openapi(
    defineRoute({
      method: "get",
      path: "/etl-jobs",
      tags,
      auth: true,
      summary: "Recent ingestion pipeline runs, newest first, with failure reasons",
      request: { query: EtlJobQuery },
      responses: { 200: json(EtlJobPage) },
    }),
    async (c) => {
      requireAdmin(c);
      c.header("Cache-Control", "no-store");
      return c.json(await listEtlJobs(c.get("ctx"), c.req.valid("query")), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/route-stats",
      tags,
      auth: true,
      summary: "API p95 latency and error rate per route, hour by hour",
      request: { query: RouteStatsQuery },
      responses: { 200: json(RouteStats) },
    }),
    async (c) => {
      requireAdmin(c);
      c.header("Cache-Control", "no-store");
      return c.json(await routeStats(c.get("ctx"), c.req.valid("query").hours), 200);
    },
  );

  return app;
}
