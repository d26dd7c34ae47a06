import { syncSearch, trackChanges } from "@jonquils/core/search/sync";
import type { JobRef, PipelineDeps } from "./deps";

/**
 * Writes the search documents of the track, its artist and its album through the search port
 * (OpenSearch, or the embedded index). A track deleted meanwhile leaves no document.
 */
export async function indexTrack(
  deps: PipelineDeps,
  input: { job: JobRef; trackId: string },
): Promise<void> {
  const changes = await trackChanges(deps.db, [input.trackId]);
  await syncSearch(deps, changes, { rethrow: true });
}
