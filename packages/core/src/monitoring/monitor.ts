import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/types";
import type { Logger } from "../logger";
import type { SearchDriftReport } from "../search/drift";
import type { ObjectStore } from "../storage/object-store";
import type { Probe } from "../probe";
import {
  checkHealth,
  checkOrphanObjects,
  checkPerformance,
  checkPipeline,
  checkSearchDrift,
  checkStuck,
  checkTrackQuality,
  DEFAULT_THRESHOLDS,
  type CheckResult,
  type RouteStat,
  type Thresholds,
} from "./checks";
import { alerts, monitoringRuns } from "./monitoring.sql";

export type AlertRow = typeof alerts.$inferSelect;
export type RunRow = typeof monitoringRuns.$inferSelect;

/** Where newly opened alerts go: SNS in AWS, the log locally. */
export interface AlertPublisher {
  readonly kind: string;
  publish(opened: readonly AlertRow[]): Promise<void>;
}

export interface MonitoringDeps {
  db: Db;
  log: Logger;
  probes: readonly Probe[];
  objects?: ObjectStore;
  /** The search index compared with the catalog, document by document, per kind (and repaired). */
  searchDrift?: () => Promise<SearchDriftReport[]>;
  /** Per-route request statistics since a time, from analytics. */
  routeStats?: (since: Date) => Promise<RouteStat[]>;
  publisher: AlertPublisher;
  thresholds?: Partial<Thresholds>;
  now?: () => Date;
}

export interface MonitoringReport {
  runId: string;
  trigger: string;
  startedAt: string;
  durationMs: number;
  status: "ok" | "alerting" | "failed";
  checks: CheckResult[];
  opened: string[];
  resolved: string[];
  error?: string;
}

export interface MonitoringService {
  /** Runs every check, reconciles alerts, publishes newly opened ones, records the run. */
  run(trigger: string): Promise<MonitoringReport>;
  /** The last run and the alerts still open, most recent first. */
  latest(): Promise<{ run: RunRow | null; openAlerts: AlertRow[] }>;
}

/** Logs alerts as warnings: the local publisher. */
export function logPublisher(log: Logger): AlertPublisher {
  return {
    kind: "log",
    publish(opened) {
      for (const a of opened)
        log.warn({ alert: a.key, severity: a.severity, detail: a.detail }, `ALERT: ${a.title}`);
      return Promise.resolve();
    },
  };
}

export function createMonitoringService(deps: MonitoringDeps): MonitoringService {
  const t = { ...DEFAULT_THRESHOLDS, ...deps.thresholds };
  const now = deps.now ?? (() => new Date());
  // One run at a time in this process: a manual run during a scheduled one waits for it.
  let chain: Promise<unknown> = Promise.resolve();

  async function collect(at: Date): Promise<CheckResult[]> {
    const settled = await Promise.allSettled([
      checkHealth(deps.probes),
      checkTrackQuality(deps.db),
      checkStuck(deps.db, at, t),
      checkSearchDrift(deps.searchDrift, t).then((r) => [r]),
      checkOrphanObjects(deps.db, deps.objects, at, t).then((r) => [r]),
      checkPipeline(deps.db, at, t).then((r) => [r]),
      checkPerformance(deps.routeStats, at, t),
    ]);
    const names = ["health", "tracks", "stuck", "search", "objects", "pipeline", "performance"];
    return settled.flatMap((s, i): CheckResult[] =>
      s.status === "fulfilled"
        ? s.value
        : [
            {
              // A check that cannot run is itself worth an alert (its source is probably down).
              key: `monitoring.check_failed:${names[i]}`,
              category: i === 6 ? "performance" : "data_quality",
              status: "alert",
              severity: "warning",
              title: `The ${names[i]} check could not run`,
              detail: {
                error: s.reason instanceof Error ? s.reason.message : String(s.reason),
              },
            },
          ],
    );
  }

  async function reconcile(
    runId: string,
    at: Date,
    checks: CheckResult[],
  ): Promise<{ opened: AlertRow[]; resolved: string[] }> {
    const alerting = checks.filter((c) => c.status === "alert");
    const alertingKeys = new Set(alerting.map((c) => c.key));
    const okKeys = new Set(checks.filter((c) => c.status === "ok").map((c) => c.key));
    // Per-route alerts have no "ok" twin: the route check running without them clears them.
    const performanceRan = okKeys.has("performance.routes");
    return deps.db.transaction(async (tx) => {
      // Runs in other processes (the scheduled Lambda and an admin's run, npm start and the
      // CLI on a server database) reconcile one after another, never interleaved.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('jonquils.monitoring.alerts'))`);
      const open = await tx.select().from(alerts).where(eq(alerts.status, "open"));
      const openByKey = new Map(open.map((a) => [a.key, a]));
      const opened: AlertRow[] = [];
      for (const c of alerting) {
        const existing = openByKey.get(c.key);
        if (existing) {
          await tx
            .update(alerts)
            .set({
              severity: c.severity,
              title: c.title,
              detail: c.detail,
              occurrences: sql`${alerts.occurrences} + 1`,
              lastSeenAt: at,
              lastRunId: runId,
            })
            .where(and(eq(alerts.id, existing.id), eq(alerts.status, "open")));
        } else {
          const [row] = await tx
            .insert(alerts)
            .values({
              key: c.key,
              category: c.category,
              severity: c.severity,
              title: c.title,
              detail: c.detail,
              firstSeenAt: at,
              lastSeenAt: at,
              lastRunId: runId,
            })
            .returning();
          if (row) opened.push(row);
        }
      }
      const toResolve = open
        .filter((a) => !alertingKeys.has(a.key))
        .filter(
          (a) =>
            okKeys.has(a.key) ||
            (a.key.startsWith("performance.") && performanceRan) ||
            // A check that could not run and now did (or was skipped) clears its alert.
            a.key.startsWith("monitoring.check_failed:"),
        )
        .map((a) => a.id);
      if (toResolve.length > 0)
        await tx
          .update(alerts)
          .set({ status: "resolved", resolvedAt: at })
          .where(and(inArray(alerts.id, toResolve), eq(alerts.status, "open")));
      return {
        opened,
        resolved: open.filter((a) => toResolve.includes(a.id)).map((a) => a.key),
      };
    });
  }

  async function runOnce(trigger: string): Promise<MonitoringReport> {
    const at = now();
    const started = performance.now();
    const [run] = await deps.db
      .insert(monitoringRuns)
      .values({ startedAt: at, status: "ok", trigger, report: {} })
      .returning({ id: monitoringRuns.id });
    const runId = run!.id;
    let report: MonitoringReport;
    try {
      const checks = await collect(at);
      const { opened, resolved } = await reconcile(runId, at, checks);
      report = {
        runId,
        trigger,
        startedAt: at.toISOString(),
        durationMs: Math.round(performance.now() - started),
        status: checks.some((c) => c.status === "alert") ? "alerting" : "ok",
        checks,
        opened: opened.map((a) => a.key),
        resolved,
      };
      if (opened.length > 0) {
        // Publishing failing must not lose the run: the alerts are stored and shown anyway.
        await deps.publisher.publish(opened).catch((err: unknown) => {
          deps.log.error({ err, publisher: deps.publisher.kind }, "alerts could not be published");
        });
      }
    } catch (error) {
      report = {
        runId,
        trigger,
        startedAt: at.toISOString(),
        durationMs: Math.round(performance.now() - started),
        status: "failed",
        checks: [],
        opened: [],
        resolved: [],
        error: error instanceof Error ? error.message : String(error),
      };
      deps.log.error({ err: error, runId }, "monitoring run failed");
    }
    await deps.db
      .update(monitoringRuns)
      .set({
        status: report.status,
        finishedAt: new Date(),
        report: report as unknown as Record<string, unknown>,
      })
      .where(eq(monitoringRuns.id, runId));
    deps.log.info(
      {
        runId,
        status: report.status,
        alerting: report.checks.filter((c) => c.status === "alert").map((c) => c.key),
        opened: report.opened,
        resolved: report.resolved,
        durationMs: report.durationMs,
      },
      "monitoring run finished",
    );
    return report;
  }

  return {
    run(trigger) {
      const next = chain.then(() => runOnce(trigger));
      chain = next.catch(() => undefined);
      return next;
    },
    async latest() {
      const [run] = await deps.db
        .select()
        .from(monitoringRuns)
        .where(sql`${monitoringRuns.finishedAt} is not null`)
        .orderBy(desc(monitoringRuns.startedAt))
        .limit(1);
      const openAlerts = await deps.db
        .select()
        .from(alerts)
        .where(eq(alerts.status, "open"))
        .orderBy(desc(alerts.lastSeenAt))
        .limit(200);
      return { run: run ?? null, openAlerts };
    },
  };
}

/**
 * Runs the monitor on a fixed period inside a long-lived process (the local twin of the
 * EventBridge schedule). The first run comes after `firstDelayMs`, so start-up stays quick.
 */
export function scheduleMonitoring(
  service: MonitoringService,
  log: Logger,
  opts: { everyMs: number; firstDelayMs: number; trigger?: string },
): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    service
      .run(opts.trigger ?? "schedule")
      .then(
        () => undefined,
        (err: unknown) => log.error({ err }, "scheduled monitoring run failed"),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.everyMs).unref();
      });
  };
  timer = setTimeout(tick, opts.firstDelayMs).unref();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
