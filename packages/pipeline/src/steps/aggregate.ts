import { schema } from "@jonquils/core";
import { invalidateTracks } from "@jonquils/core/track/index";
import { eq, sql } from "drizzle-orm";
import type { JobRef, PipelineDeps } from "./deps";

/** The last step: caches invalidated, upload done, registry done, job closed with its timings. */
export async function aggregate(
  deps: PipelineDeps,
  input: { job: JobRef; trackId: string },
): Promise<{ trackId: string; uploadId: string }> {
  const { job, trackId } = input;
  await deps.db.transaction(async (tx) => {
    await tx
      .update(schema.trackUploads)
      .set({ status: "done", trackId, failureReason: null, updatedAt: new Date() })
      .where(eq(schema.trackUploads.id, job.uploadId));
    await tx
      .update(schema.s3FileRegistry)
      .set({ status: "done", processedAt: new Date(), error: null })
      .where(eq(schema.s3FileRegistry.id, job.registryId));
    await tx
      .update(schema.etlJobs)
      .set({
        status: "succeeded",
        endTime: new Date(),
        details: sql`coalesce(${schema.etlJobs.details}, '{}'::jsonb) || ${JSON.stringify({ trackId })}::jsonb`,
      })
      .where(eq(schema.etlJobs.id, job.jobId));
  });
  await invalidateTracks(deps, trackId);
  return { trackId, uploadId: job.uploadId };
}
