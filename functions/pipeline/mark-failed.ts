import { markFailed } from "@jonquils/pipeline/steps/mark-failed";
import { createPipelineDeps } from "./deps";

const deps = createPipelineDeps("pipeline-mark-failed");

/** Task "MarkFailed": the Catch path. */
export const handler = (input: Parameters<typeof markFailed>[1]) => markFailed(deps, input);
