import { fileUploadedTrack } from "@jonquils/core/track/ingest";
import { replacedTrackOf, replaceTrackAudio } from "@jonquils/core/upload/replace";
import type { JobRef, PipelineDeps } from "./deps";

/**
 * Files the staged upload in the catalog: artist, album and track in one transaction, owned by
 * the track domain (`core/track/ingest.ts`). A refusal there (UploadRefusedError, named
 * NotProcessableError) is not retried by the state machine. A replacement upload
 * (`core/upload/replace.ts`) gives its track the new audio instead of filing a new track.
 */
export async function load(deps: PipelineDeps, job: JobRef): Promise<{ trackId: string }> {
  if (await replacedTrackOf(deps.db, job.uploadId)) return replaceTrackAudio(deps, job);
  return fileUploadedTrack(deps.db, job);
}
