import { OpenAPIHono, z } from "@hono/zod-openapi";
import { ETL_JOB_STATUSES, listEtlRuns } from "@jonquils/core/etl/runs";
import { routeHourlyStats } from "@jonquils/core/monitoring/route-stats";
import type { AppEnv } from "../env";
import { requireAdmin } from "../middleware/auth";
import { defineRoute, json, PageQuery } from "../schemas";

const JOB_STATUSES = ETL_JOB_STATUSES;

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
      return c.json(await listEtlRuns(c.get("ctx").db, c.req.valid("query")), 200);
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
      return c.json(
        await routeHourlyStats(c.get("ctx").analytics, c.req.valid("query").hours),
        200,
      );
    },
  );

  return app;
}
