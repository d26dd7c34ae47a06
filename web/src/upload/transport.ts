import type { PresignedUpload } from "../api/types";

/** Sends a file to a presigned POST form, reporting progress (0–1). */
export type SendFile = (
  presigned: PresignedUpload,
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
) => Promise<void>;

export class TransferError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** The store's problem code, e.g. `upload_form_used`. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "TransferError";
  }
}

/** The problem+json `code` (local store) or the S3 error `<Code>`, if any. */
export function codeOf(body: string): string | undefined {
  return /"code"\s*:\s*"([^"]+)"/.exec(body)?.[1] ?? /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

/** Words for what S3 or the local store answered. */
export function reasonFor(status: number, body: string): string {
  if (codeOf(body) === "upload_form_used")
    return "This upload form was already used — each one stores a single file once. “Try again” asks for a new one.";
  const detail =
    /"detail"\s*:\s*"([^"]+)"/.exec(body)?.[1] ?? /<Message>([^<]+)<\/Message>/.exec(body)?.[1];
  if (status === 413 || /EntityTooLarge/.test(body))
    return "The file is larger than the upload limit.";
  if (status === 403)
    return detail
      ? `The upload was refused: ${detail}`
      : "The upload link expired or was refused. Try again.";
  return detail ?? `The storage service answered HTTP ${status}.`;
}

/**
 * XMLHttpRequest rather than fetch: only XHR reports upload progress in every browser.
 * The fields go first and the file last, as S3's POST policy requires.
 */
export const sendWithXhr: SendFile = (presigned, file, onProgress, signal) =>
  new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(presigned.fields)) form.append(k, v);
    form.append(presigned.fileField, file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", presigned.url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else
        reject(
          new TransferError(
            reasonFor(xhr.status, xhr.responseText),
            xhr.status,
            codeOf(xhr.responseText),
          ),
        );
    };
    xhr.onerror = () => reject(new TransferError("The connection dropped while sending the file."));
    xhr.onabort = () => reject(new TransferError("Cancelled."));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
