import { fileUploadedTrack } from "@jonquils/core/track/ingest";
import type { JobRef, PipelineDeps } from "./deps";

/**
 * Files the staged upload in the catalog: artist, album and track in one transaction, owned by
 * the track domain (`core/track/ingest.ts`). A refusal there (UploadRefusedError, named
 * NotProcessableError) is not retried by the state machine.
 */
export async function load(deps: PipelineDeps, job: JobRef): Promise<{ trackId: string }> {
  return fileUploadedTrack(deps.db, job);
}
