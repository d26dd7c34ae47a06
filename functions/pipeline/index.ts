import type { JobRef } from "@jonquils/pipeline/steps/deps";
import { indexTrack } from "@jonquils/pipeline/steps/index-step";
import { withObservability } from "../observability";
import { createPipelineDeps } from "../runtime";

const deps = createPipelineDeps("pipeline-index");

/** Task "Index": search documents for the track, its artist and album. */
export const handler = withObservability(
  "pipeline-index",
  async (input: { job: JobRef; trackId: string }) => {
    await indexTrack(deps, input);
    return null;
  },
);
