import { eq } from "drizzle-orm";
import { assertAlbumOfArtist } from "../album";
import { assertOwnsArtist, resolveWritableArtist } from "../artist";
import { recordAudit } from "../audit/audit";
import type { Actor, Ctx } from "../context";
import { isForeignKeyViolation } from "../db/errors";
import { CommonErrors } from "../errors";
import { detachTrackFromPlaylists } from "../playlist";
import { syncTrackSearch } from "../search/sync";
import { bumpNamespace, cachedJson, namespaceKey, type JsonText } from "../util/json-cache";
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

export async function listTracksJson(ctx: Ctx, query: ListTracksQuery): Promise<JsonText> {
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
  return cachedJson(ctx.cache, key, LIST_TTL, async () =>
    toPage(await listTrackViews(ctx.db, filter, sort, { limit: limit + 1, offset }), query),
  );
}

/** The most popular tracks (at most POPULAR_MAX), cached. */
export async function popularTracksJson(ctx: Ctx, limit: number): Promise<JsonText> {
  const key = await namespaceKey(ctx.cache, TRACKS_NS, `popular:${limit}`);
  return cachedJson(ctx.cache, key, LIST_TTL, async () => ({
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

export function getTrackJson(ctx: Ctx, id: string): Promise<JsonText> {
  return cachedJson(ctx.cache, trackKey(id), TRACK_TTL, () => getTrack(ctx, id));
}

export async function createTrack(ctx: Ctx, actor: Actor, input: TrackInput): Promise<TrackView> {
  const id = await withFkErrors(() =>
    ctx.db.transaction(async (tx) => {
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
      return row.id;
    }),
  );
  await invalidateTracks(ctx, id);
  await syncTrackSearch(ctx, [id]);
  return getTrack(ctx, id);
}

export async function updateTrack(
  ctx: Ctx,
  actor: Actor,
  id: string,
  patch: TrackPatch,
): Promise<TrackView> {
  const previousAlbumId = await withFkErrors(() =>
    ctx.db.transaction(async (tx) => {
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
      return current.albumId;
    }),
  );
  await invalidateTracks(ctx, id);
  await syncTrackSearch(ctx, [id], { albums: [previousAlbumId] });
  return getTrack(ctx, id);
}

export async function deleteTrack(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  const deleted = await ctx.db.transaction(async (tx) => {
    // Locked first: a concurrent add to a playlist then waits on the row and fails cleanly.
    const [current] = await tx
      .select({ artistId: tracks.artistId, albumId: tracks.albumId, title: tracks.title })
      .from(tracks)
      .where(eq(tracks.id, id))
      .limit(1)
      .for("update");
    if (!current) throw CommonErrors.notFound("track", id);
    await assertOwnsArtist(tx, actor, current.artistId);
    await detachTrackFromPlaylists(tx, id);
    await tx.delete(tracks).where(eq(tracks.id, id));
    await recordAudit(tx, ctx.meta, actor, {
      action: "track.delete",
      entityType: "track",
      entityId: id,
      details: { title: current.title },
    });
    return current;
  });
  await invalidateTracks(ctx, id);
  await syncTrackSearch(ctx, [id], { artists: [deleted.artistId], albums: [deleted.albumId] });
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
    if (isForeignKeyViolation(error))
      throw CommonErrors.invalid(
        "unknown_reference",
        "A referenced genre or album does not exist.",
      );
    throw error;
  }
}
