import { and, asc, countDistinct, desc, eq, ne, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Ctx } from "../context";
import type { Executor } from "../db/types";
import { CommonErrors } from "../errors";
import { listeningHistory } from "../listening/listening.sql";
import { trackViewsInOrder } from "../smart-playlist/index";
import { tracks } from "../track/track.sql";
import type { TrackView } from "../track/views";

/**
 * "More like this": distance in a small feature space — tempo (per 60 BPM), energy, valence
 * (0–1), loudness (per 20 dB) and genre (same or not) — blended with co-listening (people who
 * played the seed also played …) once at least CO_LISTEN_MIN_USERS people played the seed.
 */
export const CO_LISTEN_MIN_USERS = 3;
const SONIC_WEIGHT = 0.7;
/** A missing feature on either side counts as this far apart. */
const MISSING = 0.5;

export interface SimilarTrack {
  track: TrackView;
  /** 0–1; 1 is the same song. */
  similarity: number;
  /** The sonic part alone, 0–1. */
  sonic: number;
  /** How many listeners of the seed also played this track. */
  coListeners: number;
}

interface Features {
  id: string;
  tempo: number | null;
  energy: number | null;
  valence: number | null;
  loudness: number | null;
  genreId: number | null;
}

const featureColumns = {
  id: tracks.id,
  tempo: tracks.tempo,
  energy: tracks.energy,
  valence: tracks.valence,
  loudness: tracks.loudness,
  genreId: tracks.genreId,
};

async function loadFeatures(db: Executor, id: string): Promise<Features> {
  const [row] = await db.select(featureColumns).from(tracks).where(eq(tracks.id, id)).limit(1);
  if (!row) throw CommonErrors.notFound("track", id);
  return row;
}

/** Euclidean distance to the seed, as SQL over `tracks`. */
function distanceSql(seed: Features): SQL<number> {
  const term = (column: SQLWrapper, value: number | null, scale: number) =>
    value === null
      ? sql`${MISSING * MISSING}::real`
      : sql`power(coalesce((${column} - ${value}::real) / ${scale}::real, ${MISSING}::real), 2)`;
  const genre =
    seed.genreId === null
      ? sql`${MISSING * MISSING}::real`
      : sql`(case when ${tracks.genreId} = ${seed.genreId} then 0::real else ${MISSING * MISSING}::real end)`;
  return sql<number>`sqrt(${term(tracks.tempo, seed.tempo, 60)} + ${term(tracks.energy, seed.energy, 1)} + ${term(tracks.valence, seed.valence, 1)} + ${term(tracks.loudness, seed.loudness, 20)} + ${genre})`;
}

/** Tracks most like the seed, best first (never the seed itself). */
export async function similarTracks(
  ctx: Pick<Ctx, "db">,
  trackId: string,
  count: number,
  options: { excludeArtistId?: string | undefined } = {},
): Promise<SimilarTrack[]> {
  const seed = await loadFeatures(ctx.db, trackId);
  const [listeners] = await ctx.db
    .select({ n: countDistinct(listeningHistory.userId) })
    .from(listeningHistory)
    .where(eq(listeningHistory.trackId, trackId));
  const useCoListening = Number(listeners?.n ?? 0) >= CO_LISTEN_MIN_USERS;

  const sonic = sql<number>`exp(-1 * ${distanceSql(seed)})`;
  const exclude = and(
    ne(tracks.id, trackId),
    options.excludeArtistId ? ne(tracks.artistId, options.excludeArtistId) : undefined,
  );
  let rows: { id: string; sonic: number; co: number }[];
  if (!useCoListening) {
    rows = (
      await ctx.db
        .select({ id: tracks.id, sonic: sonic.mapWith(Number) })
        .from(tracks)
        .where(exclude)
        .orderBy(desc(sonic), asc(tracks.id))
        .limit(count)
    ).map((r) => ({ ...r, co: 0 }));
  } else {
    const seedPlays = alias(listeningHistory, "seed_plays");
    const otherPlays = alias(listeningHistory, "other_plays");
    const co = ctx.db
      .select({
        trackId: sql<string>`${otherPlays.trackId}`.as("co_track_id"),
        users: sql<number>`count(distinct ${otherPlays.userId})::real`.as("co_users"),
      })
      .from(seedPlays)
      .innerJoin(otherPlays, eq(otherPlays.userId, seedPlays.userId))
      .where(and(eq(seedPlays.trackId, trackId), ne(otherPlays.trackId, trackId)))
      .groupBy(otherPlays.trackId)
      .as("co");
    const max = Number(listeners?.n ?? 1);
    const coShare = sql<number>`coalesce(${co.users} / ${max}::real, 0)`;
    const score = sql<number>`${SONIC_WEIGHT}::real * ${sonic} + ${1 - SONIC_WEIGHT}::real * ${coShare}`;
    rows = (
      await ctx.db
        .select({
          id: tracks.id,
          sonic: sonic.mapWith(Number),
          co: sql<number>`coalesce(${co.users}, 0)`.mapWith(Number),
        })
        .from(tracks)
        .leftJoin(co, eq(co.trackId, tracks.id))
        .where(exclude)
        .orderBy(desc(score), asc(tracks.id))
        .limit(count)
    ).map((r) => r);
  }
  const views = await trackViewsInOrder(
    ctx.db,
    rows.map((r) => r.id),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const maxListeners = Math.max(1, Number(listeners?.n ?? 1));
  return views.map((track) => {
    const r = byId.get(track.id)!;
    const similarity = useCoListening
      ? SONIC_WEIGHT * r.sonic + (1 - SONIC_WEIGHT) * Math.min(1, r.co / maxListeners)
      : r.sonic;
    return {
      track,
      similarity: round(similarity),
      sonic: round(r.sonic),
      coListeners: r.co,
    };
  });
}

const round = (n: number) => Math.round(n * 1e4) / 1e4;

function vector(f: Features): number[] {
  return [
    f.tempo === null ? NaN : f.tempo / 60,
    f.energy ?? NaN,
    f.valence ?? NaN,
    f.loudness === null ? NaN : f.loudness / 20,
  ];
}

function distance(a: number[], aGenre: number | null, b: number[], bGenre: number | null) {
  let sum = aGenre !== null && aGenre === bGenre ? 0 : MISSING * MISSING;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += Number.isNaN(d) ? MISSING * MISSING : d * d;
  }
  return Math.sqrt(sum);
}

/**
 * A path of at most `count` tracks from `startId` to `endId` through feature space: evenly
 * spaced waypoints between the two, each filled with the nearest unused track. Starts with
 * the start track and ends with the end track.
 */
export async function sonicPath(
  ctx: Pick<Ctx, "db">,
  startId: string,
  endId: string,
  count: number,
): Promise<{ track: TrackView; similarity: number }[]> {
  const [start, end] = await Promise.all([
    loadFeatures(ctx.db, startId),
    loadFeatures(ctx.db, endId),
  ]);
  const n = Math.max(2, count);
  const pool = await ctx.db
    .select(featureColumns)
    .from(tracks)
    .where(and(ne(tracks.id, startId), ne(tracks.id, endId)))
    .orderBy(sql`${distanceSql(start)} + ${distanceSql(end)}`, asc(tracks.id))
    .limit(5000);
  const a = vector(start);
  const b = vector(end);
  const chosen: { id: string; d: number }[] = [{ id: start.id, d: 0 }];
  const used = new Set([start.id, end.id]);
  for (let step = 1; step < n - 1 && used.size - 2 < pool.length; step++) {
    const t = step / (n - 1);
    const target = a.map((v, i) =>
      Number.isNaN(v) || Number.isNaN(b[i]!) ? NaN : v + (b[i]! - v) * t,
    );
    const genre = t < 0.5 ? start.genreId : end.genreId;
    let best: { id: string; d: number } | undefined;
    for (const f of pool) {
      if (used.has(f.id)) continue;
      const d = distance(vector(f), f.genreId, target, genre);
      if (!best || d < best.d) best = { id: f.id, d };
    }
    if (!best) break;
    used.add(best.id);
    chosen.push(best);
  }
  chosen.push({ id: end.id, d: 0 });
  const views = await trackViewsInOrder(
    ctx.db,
    chosen.map((c) => c.id),
  );
  const startVector = a;
  const featuresById = new Map(pool.map((f) => [f.id, f]));
  featuresById.set(start.id, start);
  featuresById.set(end.id, end);
  return views.map((track) => {
    const f = featuresById.get(track.id)!;
    return {
      track,
      similarity: round(Math.exp(-distance(vector(f), f.genreId, startVector, start.genreId))),
    };
  });
}

/** Ids of the artist's most played tracks (seeds for artist radio). */
export async function artistSeedTracks(
  db: Executor,
  artistId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: tracks.id })
    .from(tracks)
    .where(eq(tracks.artistId, artistId))
    .orderBy(desc(tracks.popularity), desc(tracks.playCount), asc(tracks.id))
    .limit(limit);
  return rows.map((r) => r.id);
}
