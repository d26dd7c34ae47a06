import type { JobRef } from "@jonquils/pipeline/steps/deps";
import { transform } from "@jonquils/pipeline/steps/transform";
import { createPipelineDeps } from "./deps";

const deps = createPipelineDeps("pipeline-transform");

/** Task "Transform": analysis staged on the upload row; nothing large goes back to Step Functions. */
export const handler = async (input: { job: JobRef }) => {
  await transform(deps, input.job);
  return null;
};
