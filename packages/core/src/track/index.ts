import { eq, sql } from "drizzle-orm";
import { assertAlbumOfArtist } from "../album";
import { assertOwnsArtist, resolveWritableArtist } from "../artist";
import { recordAudit } from "../audit/audit";
import type { Actor, Ctx } from "../context";
import { toDomainError } from "../db/errors";
import { rowsOf } from "../db/rows";
import type { Executor } from "../db/types";
import { CommonErrors } from "../errors";
import { detachTrackFromPlaylists } from "../playlist";
import { transaction, type TxEffects } from "../db/transaction";
import {
  bumpNamespace,
  cachedBody,
  namespaceKey,
  peekCachedBody,
  type CachedBody,
} from "../util/json-cache";
import { toPage, type PageQuery } from "../util/page";
import { cleanText } from "../util/text";
import { tracks } from "./track.sql";
import { listTrackViews, type TrackFilter, type TrackSort, type TrackView } from "./views";

export type { TrackView, TrackFilter, TrackSort } from "./views";

/** Cached lists live under this namespace; every catalog write bumps it. */
const TRACKS_NS = "tracks";
const LIST_TTL = 60;
const TRACK_TTL = 300;
export const POPULAR_MAX = 100;

export interface ListTracksQuery extends PageQuery, TrackFilter {
  sort: Exclude<TrackSort, "album">;
}

export interface TrackInput {
  title: string;
  artistId?: string | null | undefined;
  albumId?: string | null | undefined;
  genreId?: number | null | undefined;
  trackNumber?: number | null | undefined;
  discNumber?: number | null | undefined;
  year?: number | null | undefined;
  durationMs?: number | undefined;
  tempo?: number | null | undefined;
  energy?: number | null | undefined;
  valence?: number | null | undefined;
  loudness?: number | null | undefined;
}

export type TrackPatch = Partial<Omit<TrackInput, "artistId">>;

const trackKey = (id: string) => `track:${id}`;

export async function listTracksBody(ctx: Ctx, query: ListTracksQuery): Promise<CachedBody> {
  const { limit, offset, sort, ...filter } = query;
  const canonical = JSON.stringify([
    limit,
    offset,
    sort,
    filter.genreSlug,
    filter.genreId,
    filter.artistId,
    filter.albumId,
    filter.year,
  ]);
  const key = await namespaceKey(ctx.cache, TRACKS_NS, `list:${canonical}`);
  return cachedBody(ctx.cache, key, LIST_TTL, async () =>
    toPage(await listTrackViews(ctx.db, filter, sort, { limit: limit + 1, offset }), query),
  );
}

/** The most popular tracks (at most POPULAR_MAX), cached. */
export async function popularTracksBody(ctx: Ctx, limit: number): Promise<CachedBody> {
  const key = await namespaceKey(ctx.cache, TRACKS_NS, `popular:${limit}`);
  return cachedBody(ctx.cache, key, LIST_TTL, async () => ({
    items: await listTrackViews(ctx.db, {}, "popularity", {
      limit: Math.min(limit, POPULAR_MAX),
      offset: 0,
    }),
  }));
}

export async function getTrack(ctx: Pick<Ctx, "db">, id: string): Promise<TrackView> {
  const [view] = await listTrackViews(ctx.db, { id }, "newest", { limit: 1, offset: 0 });
  if (!view) throw CommonErrors.notFound("track", id);
  return view;
}

/** A track's serialised view and ETag, through the cache. */
export function getTrackBody(ctx: Ctx, id: string): Promise<CachedBody> {
  return cachedBody(ctx.cache, trackKey(id), TRACK_TTL, () => getTrack(ctx, id));
}

/** The cached body of a track, or undefined when it is not cached (the lean read path). */
export function peekTrackBody(
  ctx: Pick<Ctx, "cache">,
  id: string,
): Promise<CachedBody | undefined> {
  return peekCachedBody(ctx.cache, trackKey(id));
}

export async function createTrack(ctx: Ctx, actor: Actor, input: TrackInput): Promise<TrackView> {
  const id = await withFkErrors(() =>
    transaction(ctx, async (tx, effects) => {
      const artistId = await resolveWritableArtist(tx, actor, input.artistId);
      if (input.albumId) await assertAlbumOfArtist({ db: tx }, input.albumId, artistId);
      const [row] = await tx
        .insert(tracks)
        .values({
          ...fields(input),
          title: cleanText(input.title),
          artistId,
          genreSource: input.genreId != null ? "manual" : null,
        })
        .returning({ id: tracks.id });
      if (!row) throw new Error("insert returned no row");
      await recordAudit(tx, ctx.meta, actor, {
        action: "track.create",
        entityType: "track",
        entityId: row.id,
        details: { title: input.title },
      });
      trackEffects(ctx, effects, row.id);
      return row.id;
    }),
  );
  return getTrack(ctx, id);
}

export async function updateTrack(
  ctx: Ctx,
  actor: Actor,
  id: string,
  patch: TrackPatch,
): Promise<TrackView> {
  await withFkErrors(() =>
    transaction(ctx, async (tx, effects) => {
      const [current] = await tx
        .select({ artistId: tracks.artistId, albumId: tracks.albumId })
        .from(tracks)
        .where(eq(tracks.id, id))
        .limit(1)
        .for("update");
      if (!current) throw CommonErrors.notFound("track", id);
      await assertOwnsArtist(tx, actor, current.artistId);
      if (patch.albumId) await assertAlbumOfArtist({ db: tx }, patch.albumId, current.artistId);
      await tx
        .update(tracks)
        .set({
          ...fields(patch),
          ...(patch.title !== undefined ? { title: cleanText(patch.title) } : {}),
          ...(patch.genreId !== undefined
            ? { genreSource: patch.genreId === null ? null : "manual", genreConfidence: null }
            : {}),
          updatedAt: new Date(),
        })
        .where(eq(tracks.id, id));
      await recordAudit(tx, ctx.meta, actor, {
        action: "track.update",
        entityType: "track",
        entityId: id,
        details: { fields: Object.keys(patch) },
      });
      // The album it left loses a track too.
      trackEffects(ctx, effects, id);
      effects.syncSearch({ albums: [current.albumId] });
    }),
  );
  return getTrack(ctx, id);
}

export async function deleteTrack(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  await transaction(ctx, async (tx, effects) => {
    // Locked first: a concurrent add to a playlist then waits on the row and fails cleanly.
    const [current] = await tx
      .select({ artistId: tracks.artistId, albumId: tracks.albumId, title: tracks.title })
      .from(tracks)
      .where(eq(tracks.id, id))
      .limit(1)
      .for("update");
    if (!current) throw CommonErrors.notFound("track", id);
    await assertOwnsArtist(tx, actor, current.artistId);
    await detachTrackFromPlaylists(tx, effects, id);
    await tx.delete(tracks).where(eq(tracks.id, id));
    await recordAudit(tx, ctx.meta, actor, {
      action: "track.delete",
      entityType: "track",
      entityId: id,
      details: { title: current.title },
    });
    trackEffects(ctx, effects, id);
    // Gone from the catalog: its artist and album can no longer be found through it.
    effects.syncSearch({ artists: [current.artistId], albums: [current.albumId] });
  });
}

/**
 * Analytics' play statistics, in the caller's transaction: each track's popularity (`p`, 0–100)
 * and all-time play count (`c`), written only where they changed. Answers the changed ids.
 */
export async function setTrackPlayStats(
  tx: Executor,
  stats: readonly { id: string; p: number; c: number }[],
): Promise<string[]> {
  const rows = await tx.execute(sql`
    update tracks t set popularity = v.p, play_count = v.c
    from jsonb_to_recordset(${JSON.stringify(stats)}::jsonb) as v(id uuid, p smallint, c bigint)
    where t.id = v.id and (t.popularity <> v.p or t.play_count <> v.c)
    returning t.id`);
  return rowsOf<{ id: string }>(rows).map((r) => r.id);
}

/** What a new audio file sets on a track: the file, its format and what analysis found in it. */
export type TrackAudio = Pick<
  typeof tracks.$inferInsert,
  | "durationMs"
  | "filePath"
  | "fileFormat"
  | "fileSizeBytes"
  | "bitrate"
  | "sampleRate"
  | "channels"
  | "tempo"
  | "tempoConfidence"
  | "tempoReason"
  | "energy"
  | "valence"
  | "loudness"
  | "truePeakDb"
  | "trackGainDb"
  | "genreId"
  | "genreSource"
  | "genreConfidence"
  | "genreModelVersion"
  | "genreAbstainReason"
  | "lyrics"
>;

/**
 * A track's audio replaced (`upload/replace.ts`), in the caller's transaction: the same track
 * (id, likes, playlists, listens) gets the new audio; its curated metadata is not written.
 */
export async function setTrackAudio(
  tx: Executor,
  trackId: string,
  audio: TrackAudio,
): Promise<void> {
  await tx
    .update(tracks)
    .set({ ...audio, updatedAt: new Date() })
    .where(eq(tracks.id, trackId));
}

/**
 * What a committed track write changes elsewhere: the track's search document (with its
 * artist's and album's, whose counts it feeds) and the cached track and lists.
 */
export function trackEffects(
  ctx: Pick<Ctx, "cache" | "log">,
  effects: TxEffects,
  ...ids: string[]
): void {
  effects.syncSearch({ tracks: ids });
  effects.afterCommit("tracks cache", () => invalidateTracks(ctx, ...ids));
}

/** After a committed write: drop the track's entry and every cached list. Never fails the write. */
export async function invalidateTracks(
  ctx: Pick<Ctx, "cache" | "log">,
  ...ids: string[]
): Promise<void> {
  try {
    await Promise.all([
      ctx.cache.delete(...ids.map(trackKey)),
      bumpNamespace(ctx.cache, TRACKS_NS),
    ]);
  } catch (error) {
    ctx.log.error(
      { err: error, ids },
      "track cache invalidation failed; entries expire with their TTL",
    );
  }
}

function fields(input: TrackPatch) {
  const out: Partial<typeof tracks.$inferInsert> = {};
  const keys = [
    "albumId",
    "genreId",
    "trackNumber",
    "discNumber",
    "year",
    "durationMs",
    "tempo",
    "energy",
    "valence",
    "loudness",
  ] as const;
  for (const k of keys) if (input[k] !== undefined) (out as Record<string, unknown>)[k] = input[k];
  return out;
}

async function withFkErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw (
      toDomainError(error, {
        missingReference: () =>
          CommonErrors.invalid("unknown_reference", "A referenced genre or album does not exist."),
      }) ?? error
    );
  }
}
