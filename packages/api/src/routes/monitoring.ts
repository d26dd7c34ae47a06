import { OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "@jonquils/core";
import type { AlertRow, MonitoringService, RunRow } from "@jonquils/core/monitoring/monitor";
import type { AppEnv } from "../env";
import { requireAdmin } from "../middleware/auth";
import { defineRoute, json } from "../schemas";

const Check = z.object({
  key: z.string(),
  category: z.enum(["health", "data_quality", "performance", "pipeline"]),
  status: z.enum(["ok", "alert", "skipped"]),
  severity: z.enum(["info", "warning", "critical"]),
  title: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

const Report = z
  .object({
    runId: z.uuid(),
    trigger: z.string(),
    startedAt: z.string(),
    durationMs: z.number(),
    status: z.enum(["ok", "alerting", "failed"]),
    checks: z.array(Check),
    opened: z.array(z.string()).openapi({ description: "Alert keys this run opened." }),
    resolved: z.array(z.string()).openapi({ description: "Alert keys this run resolved." }),
    error: z.string().optional(),
  })
  .openapi("MonitoringReport");

const Alert = z
  .object({
    id: z.uuid(),
    key: z.string(),
    category: z.string(),
    severity: z.enum(["info", "warning", "critical"]),
    status: z.enum(["open", "resolved"]),
    title: z.string(),
    detail: z.record(z.string(), z.unknown()),
    occurrences: z.number().int(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
  })
  .openapi("Alert");

const Latest = z
  .object({
    lastRun: z
      .object({
        id: z.uuid(),
        startedAt: z.string(),
        finishedAt: z.string().nullable(),
        status: z.enum(["ok", "alerting", "failed"]),
        trigger: z.string(),
        report: Report.nullable(),
      })
      .nullable()
      .openapi({ description: "null until the first run (locally: a minute after start)." }),
    openAlerts: z.array(Alert),
  })
  .openapi("MonitoringStatus");

const alertJson = (a: AlertRow): z.infer<typeof Alert> => ({
  id: a.id,
  key: a.key,
  category: a.category,
  severity: a.severity,
  status: a.status,
  title: a.title,
  detail: a.detail,
  occurrences: a.occurrences,
  firstSeenAt: a.firstSeenAt.toISOString(),
  lastSeenAt: a.lastSeenAt.toISOString(),
});

const runJson = (r: RunRow): NonNullable<z.infer<typeof Latest>["lastRun"]> => ({
  id: r.id,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
  status: r.status,
  trigger: r.trigger,
  report: "runId" in r.report ? (r.report as unknown as z.infer<typeof Report>) : null,
});

const notConfigured = () =>
  new AppError("monitoring_unavailable", 503, "Monitoring is not configured in this deployment.");

/** GET /api/v1/admin/monitoring (latest run, open alerts) and POST …/runs (run now). Admins only. */
export function monitoringRoutes(service: MonitoringService | undefined) {
  const app = new OpenAPIHono<AppEnv>();
  const tags = ["admin"];

  app.openapi(
    defineRoute({
      method: "get",
      path: "/",
      tags,
      auth: true,
      summary: "The latest monitoring run and the open alerts",
      responses: { 200: json(Latest) },
    }),
    async (c) => {
      requireAdmin(c);
      if (!service) throw notConfigured();
      const { run, openAlerts } = await service.latest();
      c.header("Cache-Control", "no-store");
      return c.json(
        { lastRun: run ? runJson(run) : null, openAlerts: openAlerts.map(alertJson) },
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/runs",
      tags,
      auth: true,
      summary: "Run every check now (health, data quality, performance) and return the report",
      responses: { 200: json(Report) },
    }),
    async (c) => {
      requireAdmin(c);
      if (!service) throw notConfigured();
      return c.json(await service.run("api"), 200);
    },
  );
  return app;
}
