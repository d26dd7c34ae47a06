import { schema } from "@jonquils/core";
import { and, eq, ne } from "drizzle-orm";
import type { JobRef, PipelineDeps } from "./deps";

interface FailedState {
  detail?: { bucket?: { name?: string }; object?: { key?: string } };
  job?: Partial<JobRef>;
  error?: { Error?: string; Cause?: string };
}

/** Errors whose message is written for the uploader; anything else is reported generically. */
const USER_FACING = new Set(["UnreadableAudioError", "NotProcessableError"]);

/** The Catch path: the upload is marked failed with a reason in words, the job and registry closed. */
export async function markFailed(
  deps: PipelineDeps,
  input: { state: FailedState },
): Promise<{ reason: string }> {
  const { state } = input;
  const errorName = state.error?.Error ?? "Unknown";
  const message = causeMessage(state.error?.Cause);
  const reason = USER_FACING.has(errorName)
    ? message
    : errorName === "States.Timeout"
      ? "processing took too long and was stopped"
      : "an internal error stopped processing; it has been logged — try uploading again later";
  deps.log.warn({ errorName, cause: message, job: state.job }, "ingestion failed");

  const key = state.job?.key ?? state.detail?.object?.key;
  const bucket = state.job?.bucket ?? state.detail?.bucket?.name;
  await deps.db.transaction(async (tx) => {
    if (key) {
      await tx
        .update(schema.trackUploads)
        .set({ status: "failed", failureReason: reason, updatedAt: new Date() })
        .where(and(eq(schema.trackUploads.s3Path, key), ne(schema.trackUploads.status, "done")));
    }
    if (key && bucket) {
      await tx
        .update(schema.s3FileRegistry)
        .set({
          status: "failed",
          error: `${errorName}: ${message}`.slice(0, 2000),
          processedAt: new Date(),
        })
        .where(
          and(
            eq(schema.s3FileRegistry.bucketName, bucket),
            eq(schema.s3FileRegistry.filePath, key),
          ),
        );
    }
    if (state.job?.jobId) {
      await tx
        .update(schema.etlJobs)
        .set({
          status: "failed",
          endTime: new Date(),
          error: `${errorName}: ${message}`.slice(0, 2000),
        })
        .where(eq(schema.etlJobs.id, state.job.jobId));
    }
  });
  return { reason };
}

/** Step Functions gives a Lambda error's Cause as JSON ({errorMessage, …}); locally it is the message. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return "unknown error";
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // not JSON: the message itself
  }
  return cause;
}
