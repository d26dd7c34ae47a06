/**
 * The task a pool worker runs (compute/pool.ts loads it under tsx). Unexpected errors are returned, not
 * thrown, so that a rejection of `pool.run()` always means the worker itself died.
 */
import { examineAudio, type ExamineInput, type ExamineResult } from "./examine";

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
