/**
 * Every error code a client can receive in a problem+json `code`, by domain, with its HTTP
 * status. Codes are stable: clients branch on them, so one is never renamed or reused. The
 * OpenAPI document publishes them as an enum (`ErrorCode`), and `error-catalogue.test.ts`
 * fails when code is thrown that is not listed here (or a listed code is no longer thrown).
 */
export interface ErrorEntry {
  readonly status: number;
  readonly domain: string;
}

const e = (domain: string, status: number): ErrorEntry => ({ domain, status });

export const ERROR_CATALOGUE = {
  // common: any endpoint (HTTP layer, validation, database mapper in core/db/errors.ts)
  validation_failed: e("common", 400),
  malformed_json: e("common", 400),
  invalid_value: e("common", 400),
  unsupported_media_type: e("common", 415),
  payload_too_large: e("common", 413),
  route_not_found: e("common", 404),
  http_400: e("common", 400),
  http_401: e("common", 401),
  http_403: e("common", 403),
  http_404: e("common", 404),
  http_405: e("common", 405),
  http_408: e("common", 408),
  http_409: e("common", 409),
  http_410: e("common", 410),
  http_411: e("common", 411),
  http_413: e("common", 413),
  http_414: e("common", 414),
  http_415: e("common", 415),
  http_416: e("common", 416),
  http_422: e("common", 422),
  http_429: e("common", 429),
  http_431: e("common", 431),
  http_500: e("common", 500),
  http_501: e("common", 501),
  http_502: e("common", 502),
  http_503: e("common", 503),
  http_504: e("common", 504),
  unauthenticated: e("common", 401),
  forbidden: e("common", 403),
  rate_limited: e("common", 429),
  conflict: e("common", 409),
  reference_not_found: e("common", 404),
  still_referenced: e("common", 409),
  database_unavailable: e("common", 503),
  database_busy: e("common", 503),
  server_busy: e("common", 503),
  internal_error: e("common", 500),

  // auth, users, credentials
  invalid_credentials: e("auth", 401),
  invalid_token: e("auth", 401),
  token_expired: e("auth", 401),
  invalid_refresh_token: e("auth", 401),
  refresh_token_reused: e("auth", 401),
  account_unavailable: e("auth", 401),
  account_disabled: e("auth", 403),
  username_taken: e("auth", 409),
  email_taken: e("auth", 409),
  password_too_long: e("auth", 422),
  password_too_weak: e("auth", 422),
  too_many_login_attempts: e("auth", 429),
  too_many_signups: e("auth", 429),
  cannot_delete_self: e("auth", 409),
  cannot_disable_self: e("auth", 409),
  user_not_found: e("auth", 404),
  api_key_not_found: e("auth", 404),
  too_many_api_keys: e("auth", 409),
  app_password_not_found: e("auth", 404),
  too_many_app_passwords: e("auth", 409),

  // artists
  artist_not_found: e("artist", 404),
  already_artist: e("artist", 409),
  artist_name_taken: e("artist", 409),
  artist_role_required: e("artist", 403),
  artist_id_required: e("artist", 422),
  not_owner: e("artist", 403),

  // albums
  album_not_found: e("album", 404),
  album_exists: e("album", 409),
  album_mismatch: e("album", 422),

  // tracks, covers, ratings, likes, listening
  track_not_found: e("track", 404),
  cover_not_found: e("track", 404),
  unknown_reference: e("track", 422),
  invalid_rating: e("track", 422),
  completion_required: e("listening", 400),
  idempotency_key_reused: e("listening", 422),

  // playlists, smart playlists, play queue
  playlist_not_found: e("playlist", 404),
  not_playlist_owner: e("playlist", 403),
  track_already_in_playlist: e("playlist", 409),
  track_not_in_playlist: e("playlist", 404),
  invalid_track_order: e("playlist", 422),
  playlist_full: e("playlist", 422),
  smart_playlist_not_found: e("playlist", 404),
  invalid_current_index: e("play_queue", 422),
  queue_too_long: e("play_queue", 422),

  // uploads and URL imports
  upload_not_found: e("upload", 404),
  not_audio: e("upload", 415),
  no_audio: e("upload", 409),
  too_large: e("upload", 413),
  url_not_allowed: e("upload", 422),
  fetch_failed: e("upload", 422),
  fetch_timeout: e("upload", 422),
  too_many_redirects: e("upload", 422),
  too_many_imports: e("upload", 429),
  storage_failed: e("upload", 503),
  replace_in_progress: e("upload", 409),

  // search, analytics, monitoring
  search_unavailable: e("search", 503),
  analytics_unavailable: e("analytics", 503),
  monitoring_unavailable: e("monitoring", 503),

  // the local object store's signed routes (/storage, local wiring only)
  signature_missing: e("storage", 403),
  signature_invalid: e("storage", 403),
  signature_expired: e("storage", 403),
  policy_mismatch: e("storage", 403),
  upload_form_used: e("storage", 403),
  content_type_missing: e("storage", 400),
  malformed_multipart: e("storage", 400),
  multipart_required: e("storage", 415),
  file_missing: e("storage", 400),
  object_not_found: e("storage", 404),
  range_not_satisfiable: e("storage", 416),
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The codes, in catalogue order (the OpenAPI enum). */
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

export const isErrorCode = (code: string): code is ErrorCode =>
  Object.hasOwn(ERROR_CATALOGUE, code);
