/**
 * Where Transform's CPU work (compute/examine.ts) runs: inline (Lambda: one file per
 * invocation) or on a worker pool (local: compute/pool.ts). This file imports no pool code,
 * so a Lambda bundle of Transform carries none.
 */
import { trainGenreModel, type GenreExample, type GenreModelParams } from "../analysis/genre-model";
import { examineAudio, type ExamineInput, type ExamineResult } from "./examine";

/**
 * Nice value of a pool worker thread (0 normal … 19 lowest); the decoder processes it
 * starts inherit it. The bench runs its ffmpeg baseline at the same value.
 */
export const WORKER_NICE = 10;

export interface AudioCompute {
  readonly kind: "inline" | "pool";
  examine(input: ExamineInput): Promise<ExamineResult>;
  /**
   * Trains the genre model (analysis/genre-model.ts): its model selection cross-validates dozens
   * of candidates — seconds to tens of seconds on a grown catalog — so locally it runs on a
   * pool worker, never on the API's event loop.
   */
  trainGenre(examples: readonly GenreExample[]): Promise<GenreModelParams | null>;
  close(): Promise<void>;
}

/** The worker running a file stopped before answering. */
export class WorkerCrashError extends Error {
  constructor(readonly detail: string) {
    super(
      `processing stopped: the audio worker handling this file stopped unexpectedly (${detail}); the file was not retried`,
    );
    this.name = "WorkerCrashError";
  }
}

/** In-process: the same function on the caller's thread. */
export const inlineCompute: AudioCompute = {
  kind: "inline",
  examine: examineAudio,
  trainGenre: async (examples) => trainGenreModel(examples),
  close: async () => {},
};
