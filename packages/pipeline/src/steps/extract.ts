import { claimObject, type ClaimInput } from "@jonquils/core/upload/lifecycle";
import { NotProcessableError, type JobRef, type PipelineDeps } from "./deps";

export type ExtractInput = ClaimInput;

/**
 * Claims the object through the upload lifecycle (one winner per object; a done upload or
 * a replayed object is not claimed and the state machine ends). Objects outside the
 * tracks bucket are never ingested.
 */
export async function extract(deps: PipelineDeps, input: ExtractInput): Promise<JobRef> {
  // S3 events name the real bucket (e.g. "jonquils-prod-tracks"); the local store, the logical one.
  const bucket = input.bucket === deps.objects.bucketNames.tracks ? "tracks" : input.bucket;
  if (bucket !== "tracks")
    throw new NotProcessableError(`objects in "${input.bucket}" are not ingested`);
  const job = await claimObject(deps.db, input);
  if (!job.claimed)
    deps.log.info(
      { key: input.key, etag: input.etag },
      "object not claimed (done, running or replayed)",
    );
  return job;
}
