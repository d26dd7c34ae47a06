import { completeUpload, failUpload } from "@jonquils/core/upload/lifecycle";
import { appliedReplacement } from "@jonquils/core/upload/replace";
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

  // A replacement whose Load committed (a later step failed): the track already plays the new
  // file, so the upload is done — reporting it failed would be false.
  const job = state.job;
  if (job?.uploadId && job.jobId && job.registryId && job.key && job.bucket) {
    const trackId = await appliedReplacement(deps.db, job.uploadId);
    if (trackId) {
      await completeUpload(deps.db, { claimed: true, ...job } as JobRef, trackId);
      return { reason: "" };
    }
  }

  await failUpload(deps.db, {
    key: state.job?.key ?? state.detail?.object?.key,
    bucket: state.job?.bucket ?? state.detail?.bucket?.name,
    jobId: state.job?.jobId || undefined,
    reason,
    error: `${errorName}: ${message}`,
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
