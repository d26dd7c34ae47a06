import { recordDeadLetter } from "@jonquils/core/etl/dead-letters";
import type { ObjectCreatedEvent } from "@jonquils/core/storage/object-store";
import type { StateMachine } from "aws-local-stepfunctions";
import { randomUUID } from "node:crypto";
import { localArns, readDefinitionText, substituteDefinition, type TaskName } from "./definition";
import type { JobRef, PipelineDeps } from "./steps/deps";
import type { ExtractInput } from "./steps/extract";
import type { markFailed } from "./steps/mark-failed";

export interface LocalPipelineOptions {
  /** Executions running at once (analysis is CPU-bound). */
  concurrency?: number;
  /** Milliseconds between retries instead of the definition's backoff (tests). */
  retryIntervalMs?: number;
  /** Replace a step's handler (tests: inject transient failures). */
  handlers?: Partial<Record<TaskName, (input: never) => Promise<unknown>>>;
}

export interface ExecutionOutcome {
  executionName: string;
  status: "SUCCEEDED" | "FAILED";
  output?: unknown;
  error?: string;
}

/**
 * Whether a new object is an upload to ingest: the tracks bucket, under the upload prefix
 * `u/<user>/…` (the Pipeline stack's EventBridge rule filters on the same prefix).
 */
export const shouldIngest = (event: ObjectCreatedEvent) =>
  event.bucket === "tracks" && event.key.startsWith("u/");

/** The S3 "Object Created" event as EventBridge delivers it: the state machine's input in AWS too. */
export function objectCreatedToEventBridge(event: ObjectCreatedEvent) {
  return {
    version: "0",
    "detail-type": "Object Created",
    source: "aws.s3",
    time: new Date().toISOString(),
    detail: {
      bucket: { name: event.bucket },
      object: { key: event.key, size: event.size, etag: event.etag },
    },
  };
}

/**
 * Runs the ingestion state machine in-process, from the same ASL file the cloud deploys,
 * with the step functions as local Task handlers. Executions are queued with bounded
 * concurrency; `drain()` waits for everything accepted so far (used on shutdown).
 */
export function createLocalPipeline(deps: PipelineDeps, options: LocalPipelineOptions = {}) {
  // The executor library loads with the first execution, not at start-up.
  let machine: Promise<StateMachine> | undefined;
  const loadMachine = async () => {
    await import("./polyfill");
    const { StateMachine } = await import("aws-local-stepfunctions");
    const definition = JSON.parse(
      substituteDefinition(readDefinitionText(), localArns()),
    ) as ConstructorParameters<typeof StateMachine>[0];
    return new StateMachine(definition);
  };
  // Steps load on first use: the audio libraries behind Transform stay out of start-up.
  const handlers: Record<TaskName, (input: never) => Promise<unknown>> = {
    Extract: async (input: ExtractInput) => (await import("./steps/extract")).extract(deps, input),
    Transform: async (input: { job: JobRef }) => {
      await (await import("./steps/transform")).transform(deps, input.job);
      return null;
    },
    Load: async (input: { job: JobRef }) => (await import("./steps/load")).load(deps, input.job),
    Index: async (input: { job: JobRef; trackId: string }) => {
      await (await import("./steps/index-step")).indexTrack(deps, input);
      return null;
    },
    Aggregate: async (input: { job: JobRef; trackId: string }) =>
      (await import("./steps/aggregate")).aggregate(deps, input),
    MarkFailed: async (input: Parameters<typeof markFailed>[1]) =>
      (await import("./steps/mark-failed")).markFailed(deps, input),
    ...options.handlers,
  };
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const queue: { event: ObjectCreatedEvent; done: (o: ExecutionOutcome) => void }[] = [];
  const running = new Set<Promise<void>>();
  let closed = false;

  const live = new Map<string, number>();
  async function execute(event: ObjectCreatedEvent): Promise<ExecutionOutcome> {
    live.set(event.key, (live.get(event.key) ?? 0) + 1);
    try {
      return await executeOnce(event);
    } finally {
      const n = (live.get(event.key) ?? 1) - 1;
      if (n > 0) live.set(event.key, n);
      else live.delete(event.key);
    }
  }

  async function executeOnce(event: ObjectCreatedEvent): Promise<ExecutionOutcome> {
    const executionName = `ingest-${randomUUID()}`;
    const input = objectCreatedToEventBridge(event);
    try {
      machine ??= loadMachine();
      const execution = (await machine).run(input, {
        overrides: {
          taskResourceLocalHandlers: handlers as never,
          ...(options.retryIntervalMs !== undefined
            ? {
                retryIntervalOverrides: Object.fromEntries(
                  Object.keys(handlers).map((k) => [k, options.retryIntervalMs!]),
                ),
              }
            : {}),
        },
        context: {
          Execution: {
            Id: `arn:aws:states:local:000000000000:execution:jonquils-ingest:${executionName}`,
            Name: executionName,
            Input: input,
            StartTime: new Date().toISOString(),
          },
        },
      });
      const output = await execution.result;
      return { executionName, status: "SUCCEEDED", output };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A FAILED execution already went through MarkFailed; anything else never reached the machine.
      if (!(error instanceof Error && error.name === "ExecutionError"))
        await deadLetter(event, message);
      return { executionName, status: "FAILED", error: message };
    }
  }

  async function deadLetter(event: ObjectCreatedEvent, error: string) {
    deps.log.error(
      { event, error },
      "pipeline event could not be delivered; kept in etl.dead_letters",
    );
    await recordDeadLetter(deps.db, { source: "local-pipeline", event, error }).catch(
      (err: unknown) => deps.log.error({ err, event }, "dead letter could not be written"),
    );
  }

  function pump() {
    while (running.size < concurrency && queue.length > 0) {
      const next = queue.shift()!;
      const p: Promise<void> = execute(next.event).then(next.done, (err: unknown) =>
        next.done({ executionName: "", status: "FAILED", error: String(err) }),
      );
      const tracked = p.finally(() => {
        running.delete(tracked);
        pump();
      });
      running.add(tracked);
    }
  }

  return {
    /**
     * Loads the executor library and every step module now (a second of module compiling on
     * the event loop), so the first upload does not stall the API's requests.
     */
    async warm(): Promise<void> {
      machine ??= loadMachine();
      await Promise.all([
        machine,
        import("./steps/extract"),
        import("./steps/transform"),
        import("./steps/load"),
        import("./steps/index-step"),
        import("./steps/aggregate"),
        import("./steps/mark-failed"),
        // The reference genre model is trained on first use (0.3–0.5 s of CPU): now, at
        // start, rather than on the API's thread in the middle of the first upload.
        import("./steps/genre").then((genre) => genre.referenceGenreModel()),
      ]);
    },
    /** Object keys with an execution queued or running in this process (recovery skips them). */
    liveKeys(): ReadonlySet<string> {
      return new Set([...live.keys(), ...queue.map((q) => q.event.key)]);
    },
    /** Starts an execution for a new object; resolves when it ends (callers need not wait). */
    start(event: ObjectCreatedEvent): Promise<ExecutionOutcome> {
      if (closed) {
        return deadLetter(event, "the pipeline is shutting down").then(() => ({
          executionName: "",
          status: "FAILED" as const,
          error: "shutting down",
        }));
      }
      return new Promise<ExecutionOutcome>((done) => {
        queue.push({ event, done });
        pump();
      });
    },
    /** Waits for every accepted execution to end. */
    async drain(): Promise<void> {
      while (running.size > 0 || queue.length > 0) await Promise.race(running);
    },
    async close(): Promise<void> {
      closed = true;
      await this.drain();
    },
  };
}

export type LocalPipeline = ReturnType<typeof createLocalPipeline>;
