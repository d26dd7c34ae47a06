/**
 * Audio work off the event loop (local wiring): a pool of worker threads (Piscina) runs
 * examineAudio — gate, decode, features, thumbnails — while the API process only
 * coordinates (reads the object, writes rows and objects). Lambda runs examineAudio inline.
 *
 * Size: cores − 1, at least 1. Workers start on demand and leave after a minute idle. A worker
 * that dies mid-task (crash, out of memory, terminated) fails that task with WorkerCrashError,
 * which Transform turns into a final, readable failure of that one upload; Piscina replaces
 * the worker for the next task.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Worker } from "node:worker_threads";
import { prebuiltWorker } from "@jonquils/core/util/prebuilt";
import { Piscina } from "piscina";
import type { ExamineInput, ExamineResult } from "./examine";
import { WorkerCrashError, type AudioCompute } from "./port";
import type { GenreExample, GenreModelParams } from "../analysis/genre-model";
import type { trainGenre, WorkerAnswer } from "./worker-task";

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export const defaultPoolSize = () => Math.max(1, availableParallelism() - 1);

export interface AudioPoolOptions {
  /** Worker threads (default cores − 1, at least 1). */
  threads?: number;
  /** Heap limit per worker in MB (default 1024): a runaway file kills its worker, not the API. */
  maxHeapMb?: number;
  /** Worker entry (tests: a module that misbehaves). */
  workerUrl?: URL;
  /** A file still being examined after this long fails (default 10 minutes); its worker is stopped. */
  taskTimeoutMs?: number;
  onError?: (err: unknown) => void;
}

export function createAudioPool(options: AudioPoolOptions = {}): AudioCompute & {
  readonly threads: number;
  readonly workers: readonly Worker[];
  readonly inFlight: number;
} {
  const threads = Math.max(1, options.threads ?? defaultPoolSize());
  const taskTimeoutMs = options.taskTimeoutMs ?? 10 * 60_000;
  const source = options.workerUrl ?? new URL("./worker-task.ts", import.meta.url);
  // Built by `npm start` (packages/local/launch.mjs): plain Node loads it, no TypeScript loader.
  const prebuilt = prebuiltWorker(source);
  const pool = new Piscina<ExamineInput | readonly GenreExample[], unknown>({
    filename: prebuilt ?? fileURLToPath(source),
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 60_000,
    // One file per worker at a time: the work is CPU-bound.
    concurrentTasksPerWorker: 1,
    // Workers load TypeScript through tsx's loader (as `npm start` does), whatever runs the parent.
    execArgv: prebuilt ? [] : ["--import", TSX_LOADER],
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 1024 },
  });
  // A worker error with no task attached must not become an unhandled 'error' event.
  pool.on("error", (err: unknown) => options.onError?.(err));
  let inFlight = 0;
  return {
    kind: "pool" as const,
    threads,
    /** The live worker threads (tests terminate one mid-task). */
    get workers() {
      return pool.threads;
    },
    /** Files handed to the pool and not yet answered. */
    get inFlight() {
      return inFlight;
    },
    async examine(input: ExamineInput): Promise<ExamineResult> {
      let answer: WorkerAnswer;
      inFlight++;
      try {
        answer = (await pool.run(input, {
          signal: AbortSignal.timeout(taskTimeoutMs),
        })) as WorkerAnswer;
      } catch (error) {
        // Aborted (queued or running: Piscina stops that worker) or the worker died.
        if (error instanceof Error && error.name === "AbortError")
          throw new WorkerCrashError(`it took longer than ${Math.round(taskTimeoutMs / 1000)} s`);
        throw new WorkerCrashError(error instanceof Error ? error.message : String(error));
      } finally {
        inFlight--;
      }
      if (!answer.ok && answer.error === "internal") throw new Error(answer.reason);
      return answer;
    },
    async trainGenre(examples: readonly GenreExample[]): Promise<GenreModelParams | null> {
      let answer: Awaited<ReturnType<typeof trainGenre>>;
      try {
        answer = (await pool.run(examples, {
          name: "trainGenre",
          signal: AbortSignal.timeout(taskTimeoutMs),
        })) as Awaited<ReturnType<typeof trainGenre>>;
      } catch (error) {
        throw new WorkerCrashError(error instanceof Error ? error.message : String(error));
      }
      if (answer && "ok" in answer) throw new Error(answer.reason);
      return answer;
    },
    async close() {
      await pool.close({ force: true });
    },
  };
}

export type AudioPool = ReturnType<typeof createAudioPool>;
