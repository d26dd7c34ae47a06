/**
 * Where Transform's CPU work (compute/examine.ts) runs: inline (Lambda: one file per
 * invocation) or on a worker pool (local: compute/pool.ts). This file imports no pool code,
 * so a Lambda bundle of Transform carries none.
 */
import { examineAudio, type ExamineInput, type ExamineResult } from "./examine";

/**
 * Nice value of a pool worker thread (0 normal … 19 lowest); the decoder processes it
 * starts inherit it. The bench runs its ffmpeg baseline at the same value.
 */
export const WORKER_NICE = 10;

export interface AudioCompute {
  readonly kind: "inline" | "pool";
  examine(input: ExamineInput): Promise<ExamineResult>;
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
  close: async () => {},
};
