// Types only: the SDK loads on the first call (as the S3 adapter does), not at cold start.
import type * as ClientSfn from "@aws-sdk/client-sfn";
import type { SFNClient, SFNClientConfig } from "@aws-sdk/client-sfn";
import type { Bucket, ObjectCreatedEvent } from "@jonquils/core/storage/object-store";
import {
  MAX_ATTEMPTS,
  RedriveExhaustedError,
  type InFlightUpload,
  type Redrive,
} from "@jonquils/core/upload/lifecycle";

/**
 * The recovery sweep's questions to Step Functions (functions/pipeline/recover.ts): is an
 * upload's run alive, and start one more. Executions the sweep starts have names derived
 * from the upload and the attempt, so a second sweep (or a retried Lambda) starting the same
 * attempt gets the same execution: StartExecution with a running execution's name and input
 * returns that execution instead of starting another.
 */

export type ExecutionStatus =
  "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED" | "PENDING_REDRIVE";

/** Running, or about to run again (a Step Functions redrive of a failed execution). */
const alive = (status: ExecutionStatus | null) =>
  status === "RUNNING" || status === "PENDING_REDRIVE";

/** The two Step Functions calls recovery makes, as a port (the real one: `sfnExecutions`). */
export interface ExecutionsPort {
  /** The execution of that name on the state machine, or null when there is none. */
  status(name: string): Promise<ExecutionStatus | null>;
  /** Idempotent for a running execution with the same name and input; throws ExecutionExistsError otherwise. */
  start(name: string, input: string): Promise<void>;
}

/** StartExecution refused: that name was used by an execution that has ended (or with another input). */
export class ExecutionExistsError extends Error {
  constructor(readonly executionName: string) {
    super(`an execution named ${executionName} exists already`);
    this.name = "ExecutionExistsError";
  }
}

/** The name of a re-drive execution: 80 characters at most, [A-Za-z0-9-_]. */
export const redriveExecutionName = (uploadId: string, attempt: number) =>
  `recover-${uploadId}-${attempt}`;

/**
 * The state machine's input for a re-drive: the S3 "Object Created" event as EventBridge
 * delivers it (`objectCreatedToEventBridge`, the fields the ASL reads), with the bucket's
 * real name and no timestamp, so the same attempt always sends the same input.
 */
export function redriveInput(bucketName: string, event: ObjectCreatedEvent): string {
  return JSON.stringify({
    version: "0",
    "detail-type": "Object Created",
    source: "aws.s3",
    detail: {
      bucket: { name: bucketName },
      object: { key: event.key, size: event.size, etag: event.etag },
    },
  });
}

/**
 * `isLive` and `redrive` for recoverUploads against Step Functions. A run is alive when the
 * execution that claimed it (etl_jobs.execution_name) or one of the upload's re-drive
 * executions up to attempt `attempts + 1` is RUNNING (one DescribeExecution each, stopping at
 * the first alive one). A re-drive starts attempt n, or the next n when that execution
 * already ended without finishing the upload; past MAX_ATTEMPTS it refuses
 * (RedriveExhaustedError: the sweep fails the upload with a reason). It answers false when
 * that attempt's execution is running already.
 */
export function stepFunctionsRecovery(
  executions: ExecutionsPort,
  bucketNames: Readonly<Record<Bucket, string>>,
): { isLive: (upload: InFlightUpload) => Promise<boolean>; redrive: Redrive } {
  return {
    async isLive(upload) {
      // The executions that claimed it, then the re-drive that would run next (attempts + 1) and
      // those before it, newest first: the earlier names, if ever started, claimed or ended.
      const names = new Set(upload.executionNames);
      const next = Math.min(MAX_ATTEMPTS, Math.max(1, upload.attempts + 1));
      for (let n = next; n >= 1; n--) names.add(redriveExecutionName(upload.id, n));
      for (const name of names) if (alive(await executions.status(name))) return true;
      return false;
    },
    async redrive(event, { uploadId, attempt }) {
      const input = redriveInput(bucketNames[event.bucket], event);
      for (let n = Math.max(1, attempt); n <= MAX_ATTEMPTS; n++) {
        const name = redriveExecutionName(uploadId, n);
        const status = await executions.status(name);
        if (alive(status)) return false; // re-driven already: the same execution
        if (status !== null) continue; // that attempt ended without finishing the upload
        try {
          await executions.start(name, input);
          return name;
        } catch (err) {
          if (err instanceof ExecutionExistsError) continue;
          throw err;
        }
      }
      throw new RedriveExhaustedError(MAX_ATTEMPTS);
    },
  };
}

/** An execution's ARN from its state machine's ARN and its name. */
export const executionArn = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;

/**
 * The port on the AWS SDK v3 (DescribeExecution, StartExecution), imported on first use.
 * The endpoint comes from the SDK's own configuration (AWS_ENDPOINT_URL_SFN for moto).
 */
export function sfnExecutions(
  stateMachineArn: string,
  config: SFNClientConfig = {},
): ExecutionsPort {
  let loaded: Promise<{ sdk: typeof ClientSfn; client: SFNClient }> | undefined;
  const load = () =>
    (loaded ??= import("@aws-sdk/client-sfn").then((sdk) => ({
      sdk,
      client: new sdk.SFNClient(config),
    })));
  return {
    async status(name) {
      const { sdk, client } = await load();
      try {
        const out = await client.send(
          new sdk.DescribeExecutionCommand({ executionArn: executionArn(stateMachineArn, name) }),
        );
        return out.status ?? null;
      } catch (err) {
        if (err instanceof sdk.ExecutionDoesNotExist) return null;
        throw err;
      }
    },
    async start(name, input) {
      const { sdk, client } = await load();
      try {
        await client.send(new sdk.StartExecutionCommand({ stateMachineArn, name, input }));
      } catch (err) {
        if (err instanceof sdk.ExecutionAlreadyExists) throw new ExecutionExistsError(name);
        throw err;
      }
    },
  };
}
