import { markFailed } from "@jonquils/pipeline/steps/mark-failed";
import { withObservability } from "../observability";
import { createPipelineDeps } from "../runtime";

const deps = createPipelineDeps("pipeline-mark-failed");

/** Task "MarkFailed": the Catch path. */
export const handler = withObservability(
  "pipeline-mark-failed",
  (input: Parameters<typeof markFailed>[1]) => markFailed(deps, input),
);
