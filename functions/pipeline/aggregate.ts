import { aggregate } from "@jonquils/pipeline/steps/aggregate";
import type { JobRef } from "@jonquils/pipeline/steps/deps";
import { withObservability } from "../observability";
import { createPipelineDeps } from "../runtime";

const deps = createPipelineDeps("pipeline-aggregate");

/** Task "Aggregate": caches invalidated, upload done, job closed. */
export const handler = withObservability(
  "pipeline-aggregate",
  (input: { job: JobRef; trackId: string }) => aggregate(deps, input),
);
