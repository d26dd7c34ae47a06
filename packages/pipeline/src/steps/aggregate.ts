import { invalidateTracks } from "@jonquils/core/track/index";
import { completeUpload } from "@jonquils/core/upload/lifecycle";
import type { JobRef, PipelineDeps } from "./deps";
import { retrainGenreModelIfGrown } from "./genre";

/**
 * The last step: upload done, registry done, job closed; caches invalidated; the upload
 * target (`u/…`) removed — the track plays its verified copy (`a/…`). When the catalog's
 * tagged tracks have grown meaningfully since the genre model was trained, a new model is
 * trained and stored (a failure there is logged; the upload is done either way).
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
  try {
    const version = await retrainGenreModelIfGrown(deps);
    if (version) deps.log.info({ version }, "genre model retrained on the grown catalog");
  } catch (err) {
    deps.log.warn({ err }, "genre model not retrained");
  }
  return { trackId, uploadId: job.uploadId };
}
