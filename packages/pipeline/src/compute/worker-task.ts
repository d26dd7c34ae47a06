/**
 * The task a pool worker runs (compute/pool.ts loads it under tsx). Unexpected errors are returned, not
 * thrown, so that a rejection of `pool.run()` always means the worker itself died.
 */
import { setPriority } from "node:os";
import { trainGenreModel, type GenreExample, type GenreModelParams } from "../analysis/genre-model";
import { examineAudio, type ExamineInput, type ExamineResult } from "./examine";
import { WORKER_NICE } from "./port";

// Background work yields to the API: on Linux a thread's nice value is its own, so this lowers
// only this worker thread (the API's event loop keeps priority when the cores are busy).
try {
  setPriority(WORKER_NICE);
} catch {
  // not permitted or not supported: run at normal priority
}

export type WorkerAnswer = ExamineResult | { ok: false; error: "internal"; reason: string };

export default async function run(input: ExamineInput): Promise<WorkerAnswer> {
  try {
    return await examineAudio(input);
  } catch (error) {
    return {
      ok: false,
      error: "internal",
      reason: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
}

/** The pool's `trainGenre` (Piscina calls this export by name). */
export function trainGenre(
  examples: readonly GenreExample[],
): GenreModelParams | null | { ok: false; error: "internal"; reason: string } {
  try {
    return trainGenreModel(examples);
  } catch (error) {
    return {
      ok: false,
      error: "internal",
      reason: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
}
