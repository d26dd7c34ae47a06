import type { JobRef } from "@jonquils/pipeline/steps/deps";
import { load } from "@jonquils/pipeline/steps/load";
import { withObservability } from "../observability";
import { createPipelineDeps } from "../runtime";

const deps = createPipelineDeps("pipeline-load");

/** Task "Load": artist, album and track upserted in one transaction. */
export const handler = withObservability("pipeline-load", (input: { job: JobRef }) =>
  load(deps, input.job),
);
