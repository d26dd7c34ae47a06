import { extract, type ExtractInput } from "@jonquils/pipeline/steps/extract";
import { withObservability } from "../observability";
import { createPipelineDeps } from "../runtime";

const deps = createPipelineDeps("pipeline-extract");

/** Task "Extract": claims the object and opens the job. */
export const handler = withObservability("pipeline-extract", (input: ExtractInput) =>
  extract(deps, input),
);
