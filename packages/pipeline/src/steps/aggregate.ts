import { invalidateTracks } from "@jonquils/core/track/index";
import { completeUpload } from "@jonquils/core/upload/lifecycle";
import type { JobRef, PipelineDeps } from "./deps";

/**
 * The last step: upload done, registry done, job closed; caches invalidated; the upload
 * target (`u/…`) removed — the track plays its verified copy (`a/…`).
 */
export async function aggregate(
  deps: PipelineDeps,
  input: { job: JobRef; trackId: string },
): Promise<{ trackId: string; uploadId: string }> {
  const { job, trackId } = input;
  await completeUpload(deps.db, job, trackId);
  await invalidateTracks(deps, trackId);
  await deps.objects
    .delete("tracks", job.key)
    .catch((err: unknown) => deps.log.warn({ err, key: job.key }, "upload target not removed"));
  return { trackId, uploadId: job.uploadId };
}
