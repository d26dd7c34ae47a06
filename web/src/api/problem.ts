import { isAxiosError } from "axios";
import type { Problem } from "./types";

/** Words for an error: the API's problem+json detail when there is one, else a plain reason. */
export function messageOf(error: unknown): string {
  if (isAxiosError(error)) {
    const data = error.response?.data as Problem | undefined;
    const status = error.response?.status;
    if (data && typeof data === "object" && (data.detail || data.title)) {
      const fields = data.errors?.map((e) => `${e.path}: ${e.message}`) ?? [];
      const base = data.detail || data.title || "";
      return fields.length > 0 && !base.includes(fields[0]!)
        ? `${base} (${fields.join("; ")})`
        : base;
    }
    if (!error.response)
      return "Cannot reach the JONQUILS server. Check your connection and try again.";
    if (status === 429) return "Too many requests. Wait a moment and try again.";
    if (status === 401) return "Please sign in again.";
    if (status === 403) return "Your account is not allowed to do this.";
    if (status === 404) return "This was not found. It may have been removed.";
    if (status && status >= 500) return "The server had a problem. Try again in a moment.";
    return `The request failed (HTTP ${status ?? "?"}).`;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/** The HTTP status of an API error, if any. */
export function statusOf(error: unknown): number | undefined {
  return isAxiosError(error) ? error.response?.status : undefined;
}

/**
 * Whether trying the same request again can help: no answer at all, a timeout, a rate limit
 * or a server error. A 404 or a refused input will be refused again.
 */
export function isRetryable(error: unknown): boolean {
  if (!isAxiosError(error)) return true;
  const status = error.response?.status;
  return status === undefined || status === 408 || status === 429 || status >= 500;
}
