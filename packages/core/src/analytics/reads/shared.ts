import { sql } from "drizzle-orm";
import type { Ctx } from "../../context";
import { rowsOf } from "../../db/rows";

/** A ClickHouse number as the driver answers it (UInt64 as text, NULL for an empty set). */
export type N = number | string | null;

export const TOP = 10;

/** The value of a settled read, or its error thrown. */
export function settled<T>(r: PromiseSettledResult<T>): T {
  if (r.status === "rejected") throw r.reason;
  return r.value;
}

export const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
export const rate = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 1e4) / 1e4 : 0;

export const topOf = <T extends { plays: N }>(rows: T[]) =>
  rows
    .filter((r) => num(r.plays) > 0)
    .sort((a, b) => num(b.plays) - num(a.plays))
    .slice(0, TOP);

/** Titles and names for the ids an analytics answer mentions, in one catalog round trip. */
export async function catalogNames(
  ctx: Ctx,
  ids: { tracks?: string[]; artists?: string[]; genres?: number[] },
): Promise<Map<string, string>> {
  const parts = [];
  if (ids.tracks?.length)
    parts.push(
      sql`select 't:' || id::text as k, title as name from tracks where id in (${sql.join(
        ids.tracks.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    );
  if (ids.artists?.length)
    parts.push(
      sql`select 'a:' || id::text, name from artists where id in (${sql.join(
        ids.artists.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    );
  if (ids.genres?.length)
    parts.push(
      sql`select 'g:' || id::text, name from genres where id in (${sql.join(
        ids.genres.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    );
  if (parts.length === 0) return new Map();
  const result = await ctx.db.execute<{ k: string; name: string }>(
    sql.join(parts, sql` union all `),
  );
  return new Map(rowsOf<{ k: string; name: string }>(result).map((r) => [r.k, r.name]));
}

export function sources(rows: { platform: string | null; device_type: string | null; plays: N }[]) {
  const platforms = new Map<string, number>();
  const devices = new Map<string, number>();
  for (const r of rows) {
    if (r.platform === null || r.device_type === null) continue;
    platforms.set(r.platform, (platforms.get(r.platform) ?? 0) + num(r.plays));
    devices.set(r.device_type, (devices.get(r.device_type) ?? 0) + num(r.plays));
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .map(([name, plays]) => ({ name, plays }))
      .sort((a, b) => b.plays - a.plays || a.name.localeCompare(b.name));
  return { platforms: list(platforms), devices: list(devices) };
}

export interface DailyRow {
  date: string | null;
  plays: N;
  unique_listeners: N;
  listening_ms: N;
  completes?: N;
  skips?: N;
}
/** Splits a GROUPING SETS ((day), ()) answer: the totals row (date NULL) and the days, oldest first. */
export function splitDaily(rows: DailyRow[]) {
  const totals = rows.find((r) => r.date === null);
  const days = rows
    .filter((r) => r.date !== null)
    .map((r) => ({ day: r.date!, plays: num(r.plays), uniqueListeners: num(r.unique_listeners) }))
    .reverse();
  return { totals, days };
}
