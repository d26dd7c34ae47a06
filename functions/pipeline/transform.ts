import type { JobRef } from "@jonquils/pipeline/steps/deps";
import { transform } from "@jonquils/pipeline/steps/transform";
import { withObservability } from "../observability";
import { createPipelineDeps } from "../runtime";

const deps = createPipelineDeps("pipeline-transform");

/** Task "Transform": analysis staged on the upload row; nothing large goes back to Step Functions. */
export const handler = withObservability("pipeline-transform", async (input: { job: JobRef }) => {
  await transform(deps, input.job);
  return null;
});
