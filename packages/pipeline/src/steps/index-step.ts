import { indexTracksNow } from "@jonquils/core/search/outbox";
import type { JobRef, PipelineDeps } from "./deps";

/**
 * Records that the track's search documents (its own, its artist's and its album's) must be
 * rewritten — a search event in the outbox — and delivers pending search events at once. An
 * unreachable search index fails nothing: the event stays and the next drain (the API's, the
 * scheduled refresh's) delivers it. A track deleted meanwhile leaves no document.
 */
export async function indexTrack(
  deps: PipelineDeps,
  input: { job: JobRef; trackId: string },
): Promise<void> {
  await indexTracksNow(deps, [input.trackId]);
}
