import type { Ports } from "@jonquils/core";
import type { ObjectStore } from "@jonquils/core/storage/object-store";
import type { AudioCompute } from "../compute/port";

/** What the pipeline steps need: catalog database, cache, search index, object store, logger. */
export interface PipelineDeps extends Pick<Ports, "db" | "cache" | "log" | "search"> {
  readonly objects: ObjectStore;
  /** false: tags-only ingest (no decoding or audio features). */
  readonly analyseAudio: boolean;
  /** Where the decode/analysis/thumbnail work runs: a worker pool locally; inline when absent (Lambda). */
  readonly compute?: AudioCompute;
}

export type { JobRef } from "@jonquils/core/upload/lifecycle";

/** An object the pipeline will never be able to process (no retry): the reason is shown to the uploader. */
export class NotProcessableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotProcessableError";
  }
}
