import type { AnalyticsTable } from "./sql/schema.sql";

/**
 * One row for an analytics table, as positional values in TABLE_COLUMNS order. Records are
 * what the queue carries (memory, spool files, SQS messages) and what stores insert, encoded
 * as JSONCompactEachRow: no per-row key names, and one native JSON.stringify per row.
 */
export interface AnalyticsRecord {
  readonly table: AnalyticsTable;
  readonly values: readonly (string | number | null)[];
}

export const TABLE_COLUMNS: Readonly<Record<AnalyticsTable, readonly [string, ...string[]]>> = {
  api_requests_log: [
    "timestamp",
    "request_id",
    "user_id",
    "method",
    "endpoint",
    "status_code",
    "response_time_ms",
    "user_agent",
    "ip",
  ],
  track_analytics: [
    "timestamp",
    "track_id",
    "user_id",
    "artist_id",
    "genre_id",
    "action",
    "duration_played_ms",
    "completion_percentage",
    "platform",
    "device_type",
  ],
  search_analytics: ["timestamp", "user_id", "query", "kind", "results_count", "clicked_result_id"],
};

export const ANALYTICS_TABLES = Object.keys(TABLE_COLUMNS) as AnalyticsTable[];

/** Timestamps travel as Unix milliseconds: DateTime64(3) reads an integer as milliseconds. */
export type EpochMs = number;

/** A play counts as complete from this share of the track, as a skip below this one. */
export const COMPLETE_FROM_PERCENT = 90;
export const SKIP_BELOW_PERCENT = 30;

export type ListenAction = "play" | "complete" | "skip";

export function listenAction(completionPercentage: number): ListenAction {
  if (completionPercentage >= COMPLETE_FROM_PERCENT) return "complete";
  if (completionPercentage < SKIP_BELOW_PERCENT) return "skip";
  return "play";
}

export interface ListenEvent {
  at: EpochMs;
  trackId: string;
  userId: string;
  artistId: string;
  genreId: number | null;
  durationPlayedMs: number;
  completionPercentage: number;
  platform: string;
  deviceType: string;
}

export function listenRecord(e: ListenEvent): AnalyticsRecord {
  return {
    table: "track_analytics",
    values: [
      e.at,
      e.trackId,
      e.userId,
      e.artistId,
      e.genreId,
      listenAction(e.completionPercentage),
      Math.round(e.durationPlayedMs),
      e.completionPercentage,
      e.platform,
      e.deviceType,
    ],
  };
}

export interface RequestLogEvent {
  at: EpochMs;
  requestId: string;
  userId: string | null;
  method: string;
  /** The route template ("/api/v1/tracks/:id"), never the raw path. */
  route: string;
  status: number;
  durationMs: number;
  userAgent: string;
  ip: string;
}

export function requestRecord(e: RequestLogEvent): AnalyticsRecord {
  return {
    table: "api_requests_log",
    values: [
      e.at,
      e.requestId,
      e.userId,
      e.method,
      e.route,
      e.status,
      Math.round(e.durationMs * 1000) / 1000,
      e.userAgent.slice(0, 512),
      e.ip,
    ],
  };
}

export interface SearchEvent {
  at: EpochMs;
  userId: string | null;
  query: string;
  /** Which search ran: "tracks", "artists", "albums", "suggest"… */
  kind: string;
  resultsCount: number;
  /** Set on a click event: the id of the result the user opened. */
  clickedResultId?: string | null;
}

export function searchRecord(e: SearchEvent): AnalyticsRecord {
  return {
    table: "search_analytics",
    values: [
      e.at,
      e.userId,
      e.query.slice(0, 256),
      e.kind,
      e.resultsCount,
      e.clickedResultId ?? null,
    ],
  };
}

/** Groups records by table, keeping order. */
export function groupByTable(
  records: readonly AnalyticsRecord[],
): Map<AnalyticsTable, (readonly (string | number | null)[])[]> {
  const out = new Map<AnalyticsTable, (readonly (string | number | null)[])[]>();
  for (const r of records) {
    let rows = out.get(r.table);
    if (!rows) out.set(r.table, (rows = []));
    rows.push(r.values);
  }
  return out;
}

/** JSONCompactEachRow text: one JSON array per line. */
export function encodeRows(rows: readonly (readonly unknown[])[]): string {
  let out = "";
  for (const row of rows) out += JSON.stringify(row) + "\n";
  return out;
}

const isTable = (t: unknown): t is AnalyticsTable =>
  typeof t === "string" && Object.hasOwn(TABLE_COLUMNS, t);

/** Checks a record read back from a spool file or an SQS message. */
export function isAnalyticsRecord(v: unknown): v is AnalyticsRecord {
  if (typeof v !== "object" || v === null) return false;
  const r = v as { table?: unknown; values?: unknown };
  return (
    isTable(r.table) &&
    Array.isArray(r.values) &&
    r.values.length === TABLE_COLUMNS[r.table].length &&
    r.values.every((x) => x === null || typeof x === "string" || typeof x === "number")
  );
}
