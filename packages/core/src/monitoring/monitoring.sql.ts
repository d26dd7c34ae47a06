import { sql } from "drizzle-orm";
import {
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

/** What the scheduled monitoring run found, and the alerts it keeps open until the cause is gone. */
export const monitoring = pgSchema("monitoring");

export const alertSeverity = monitoring.enum("alert_severity", ["info", "warning", "critical"]);
export const alertStatus = monitoring.enum("alert_status", ["open", "resolved"]);
export const runStatus = monitoring.enum("run_status", ["ok", "alerting", "failed"]);

/** One row per monitoring run, with every check's result in `report`. */
export const monitoringRuns = monitoring.table(
  "runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    status: runStatus("status").notNull(),
    /** Where it ran: "local", "lambda", "cli". */
    trigger: varchar("trigger", { length: 32 }).notNull(),
    report: jsonb("report").$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index("monitoring_runs_started_idx").on(t.startedAt.desc())],
);

/**
 * An alert per problem (key), open while the check keeps failing: a run that finds the same
 * problem again bumps `occurrences` instead of opening a second alert, and a run that finds it
 * gone resolves it. Only newly opened alerts are published.
 */
export const alerts = monitoring.table(
  "alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    key: varchar("key", { length: 160 }).notNull(),
    category: varchar("category", { length: 32 }).notNull(),
    severity: alertSeverity("severity").notNull(),
    status: alertStatus("status").notNull().default("open"),
    title: text("title").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull(),
    occurrences: integer("occurrences").notNull().default(1),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    lastRunId: uuid("last_run_id"),
  },
  (t) => [
    uniqueIndex("alerts_open_key_idx")
      .on(t.key)
      .where(sql`status = 'open'`),
    index("alerts_status_idx").on(t.status, t.lastSeenAt.desc()),
  ],
);
