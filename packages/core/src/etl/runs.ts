import { desc, eq, gte, sql } from "drizzle-orm";
import type { Executor } from "../db/types";
import { trackUploads } from "../upload/upload.sql";
import { toPage } from "../util/page";
import { etlJobs } from "./etl.sql";

export const ETL_JOB_STATUSES = ["running", "succeeded", "failed"] as const;
export type EtlJobStatus = (typeof ETL_JOB_STATUSES)[number];

/**
 * Recent pipeline runs, newest first, with the file each ingested and why failed ones failed,
 * and how many runs started in the last 24 hours by status (the operator's page).
 */
export async function listEtlRuns(
  db: Executor,
  query: { status?: EtlJobStatus | undefined; limit: number; offset: number },
  now: Date = new Date(),
) {
  const rows = await db
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
  const since = new Date(now.getTime() - 86_400_000);
  const counts = await db
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
