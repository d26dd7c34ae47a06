import { schema } from "@jonquils/core";
import { and, eq, ne, sql } from "drizzle-orm";
import { NotProcessableError, type JobRef, type PipelineDeps } from "./deps";

export interface ExtractInput {
  bucket: string;
  key: string;
  size?: number | null;
  etag?: string | null;
  executionName?: string | null;
}

/**
 * Claims the object in etl.s3_file_registry. The claim is an insert against the
 * (bucket, path) unique key, so two executions for one object cannot both win;
 * the loser returns `claimed: false` and the state machine ends. A failed object may be
 * claimed again (a retry after a fix), a done or running one may not.
 */
export async function extract(deps: PipelineDeps, input: ExtractInput): Promise<JobRef> {
  const { db } = deps;
  // S3 events name the real bucket (e.g. "jonquils-prod-tracks"); the local store, the logical one.
  const bucket = input.bucket === deps.objects.bucketNames.tracks ? "tracks" : input.bucket;
  if (bucket !== "tracks")
    throw new NotProcessableError(`objects in "${input.bucket}" are not ingested`);
  const [upload] = await db
    .select({ id: schema.trackUploads.id, status: schema.trackUploads.status })
    .from(schema.trackUploads)
    .where(eq(schema.trackUploads.s3Path, input.key))
    .limit(1);
  if (!upload) throw new NotProcessableError("no upload was requested for this object");

  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(schema.s3FileRegistry)
      .values({
        bucketName: input.bucket,
        filePath: input.key,
        etag: input.etag ?? null,
        sizeBytes: input.size ?? null,
        status: "processing",
        attempts: 1,
      })
      .onConflictDoNothing()
      .returning({ id: schema.s3FileRegistry.id });
    let registryId = inserted?.id;
    if (!registryId) {
      // Only a failed earlier attempt may be taken over, and only by one execution.
      const [retaken] = await tx
        .update(schema.s3FileRegistry)
        .set({
          status: "processing",
          attempts: sql`${schema.s3FileRegistry.attempts} + 1`,
          error: null,
          etag: input.etag ?? null,
        })
        .where(
          and(
            eq(schema.s3FileRegistry.bucketName, input.bucket),
            eq(schema.s3FileRegistry.filePath, input.key),
            eq(schema.s3FileRegistry.status, "failed"),
          ),
        )
        .returning({ id: schema.s3FileRegistry.id });
      registryId = retaken?.id;
    }
    if (!registryId)
      return {
        claimed: false,
        jobId: "",
        uploadId: upload.id,
        registryId: "",
        bucket: input.bucket,
        key: input.key,
      };

    const [job] = await tx
      .insert(schema.etlJobs)
      .values({
        jobName: "ingest_track",
        status: "running",
        executionName: input.executionName ?? null,
        uploadId: upload.id,
        details: { bucket: input.bucket, key: input.key, size: input.size ?? null },
      })
      .returning({ id: schema.etlJobs.id });
    await tx
      .update(schema.trackUploads)
      .set({ status: "processing", failureReason: null, updatedAt: new Date() })
      .where(
        and(eq(schema.trackUploads.id, upload.id), ne(schema.trackUploads.status, "processing")),
      );
    return {
      claimed: true,
      jobId: job!.id,
      uploadId: upload.id,
      registryId,
      bucket: input.bucket,
      key: input.key,
    };
  });
}
