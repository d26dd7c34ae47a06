import { AppError } from "../errors";

const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/** Every error the upload domain raises, with its stable code. */
export const UploadErrors = {
  notFound: (id: string) => new AppError("upload_not_found", 404, `No upload with id ${id}.`),
  artistRequired: () =>
    new AppError(
      "artist_role_required",
      403,
      "Only artists and admins can upload tracks: create your artist profile first.",
    ),
  notAudio: (what: string) =>
    new AppError("not_audio", 415, `Only audio files can be uploaded: ${what}.`),
  tooLarge: (maxBytes: number) =>
    new AppError("too_large", 413, `Audio files are limited to ${mb(maxBytes)}.`, { maxBytes }),
  urlNotAllowed: (why: string) =>
    new AppError("url_not_allowed", 422, `That URL cannot be fetched: ${why}.`),
  fetchFailed: (why: string, extra: Record<string, unknown> = {}) =>
    new AppError("fetch_failed", 422, `The file could not be downloaded: ${why}.`, extra),
  fetchTimeout: (seconds: number) =>
    new AppError(
      "fetch_timeout",
      422,
      `The file could not be downloaded within ${seconds} seconds.`,
    ),
  tooManyRedirects: (max: number) =>
    new AppError("too_many_redirects", 422, `The URL redirected more than ${max} times.`),
  tooManyImports: () =>
    new AppError(
      "too_many_imports",
      429,
      "Too many downloads from URLs are running: wait for one to finish.",
      { retryAfterSeconds: 10 },
    ),
  storageFailed: () =>
    new AppError(
      "storage_failed",
      503,
      "The file could not be stored just now; try again in a moment.",
    ),
  noAudio: (trackId: string) =>
    new AppError("no_audio", 409, `Track ${trackId} has no audio file (yet).`),
};
