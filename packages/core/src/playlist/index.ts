import { and, asc, count, desc, eq, gte, inArray, sql } from "drizzle-orm";
import { recordAudit } from "../audit/audit";
import type { Actor, Ctx } from "../context";
import { toDomainError } from "../db/errors";
import type { Tx } from "../db/types";
import { CommonErrors } from "../errors";
import { transaction, type TxEffects } from "../db/transaction";
import { tracks } from "../track/track.sql";
import { listTrackViews, type TrackView } from "../track/views";
import { users } from "../user/user.sql";
import { toPage, type Page, type PageQuery } from "../util/page";
import { cleanText } from "../util/text";
import { PlaylistErrors } from "./errors";
import { playlists, playlistTracks } from "./playlist.sql";

export { PlaylistErrors } from "./errors";

export const MAX_PLAYLIST_TRACKS = 5000;

export interface PlaylistView {
  id: string;
  title: string;
  description: string | null;
  isPublic: boolean;
  owner: { id: string; username: string };
  trackCount: number;
  durationMs: number;
  createdAt: string;
  updatedAt: string;
}

export interface PlaylistEntry {
  position: number;
  addedAt: string;
  track: TrackView;
}

export interface PlaylistDetail extends PlaylistView {
  tracks: PlaylistEntry[];
}

export interface PlaylistInput {
  title: string;
  description?: string | null | undefined;
  isPublic?: boolean | undefined;
}

const stats = {
  trackCount: sql<number>`(select count(*)::int from playlist_tracks pt where pt.playlist_id = ${playlists.id})`,
  durationMs: sql<number>`(select coalesce(sum(t.duration_ms), 0)::bigint from playlist_tracks pt join tracks t on t.id = pt.track_id where pt.playlist_id = ${playlists.id})`,
};

const viewColumns = {
  id: playlists.id,
  title: playlists.title,
  description: playlists.description,
  isPublic: playlists.isPublic,
  ownerId: users.id,
  ownerName: users.username,
  createdAt: playlists.createdAt,
  updatedAt: playlists.updatedAt,
  ...stats,
};

type ViewRow = {
  id: string;
  title: string;
  description: string | null;
  isPublic: boolean;
  ownerId: string;
  ownerName: string;
  createdAt: Date;
  updatedAt: Date;
  trackCount: number;
  durationMs: number;
};

const toView = (r: ViewRow): PlaylistView => ({
  id: r.id,
  title: r.title,
  description: r.description,
  isPublic: r.isPublic,
  owner: { id: r.ownerId, username: r.ownerName },
  trackCount: Number(r.trackCount),
  durationMs: Number(r.durationMs),
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

async function loadView(ctx: Pick<Ctx, "db">, id: string): Promise<PlaylistView | undefined> {
  const [row] = await ctx.db
    .select(viewColumns)
    .from(playlists)
    .innerJoin(users, eq(users.id, playlists.userId))
    .where(eq(playlists.id, id))
    .limit(1);
  return row ? toView(row) : undefined;
}

export async function listMyPlaylists(
  ctx: Ctx,
  actor: Actor,
  page: PageQuery,
): Promise<Page<PlaylistView>> {
  const rows = await ctx.db
    .select(viewColumns)
    .from(playlists)
    .innerJoin(users, eq(users.id, playlists.userId))
    .where(eq(playlists.userId, actor.userId))
    .orderBy(desc(playlists.updatedAt), asc(playlists.id))
    .limit(page.limit + 1)
    .offset(page.offset);
  return toPage(rows.map(toView), page);
}

/** A public playlist for anyone; a private one only for its owner (others get 404, not a hint it exists). */
export async function getPlaylist(
  ctx: Ctx,
  actor: Actor | null,
  id: string,
): Promise<PlaylistDetail> {
  const view = await loadView(ctx, id);
  const isOwner = actor !== null && view?.owner.id === actor.userId;
  if (!view || (!view.isPublic && !isOwner && actor?.role !== "admin"))
    throw PlaylistErrors.notFound(id);
  const entries = await ctx.db
    .select({
      trackId: playlistTracks.trackId,
      position: playlistTracks.position,
      addedAt: playlistTracks.addedAt,
    })
    .from(playlistTracks)
    .where(eq(playlistTracks.playlistId, id))
    .orderBy(asc(playlistTracks.position));
  const views = new Map<string, TrackView>();
  // One query per 500 tracks, not one per track.
  for (let i = 0; i < entries.length; i += 500) {
    const ids = entries.slice(i, i + 500).map((e) => e.trackId);
    for (const v of await listTrackViewsByIds(ctx, ids)) views.set(v.id, v);
  }
  return {
    ...view,
    tracks: entries.flatMap((e) => {
      const track = views.get(e.trackId);
      return track ? [{ position: e.position, addedAt: e.addedAt.toISOString(), track }] : [];
    }),
  };
}

async function listTrackViewsByIds(ctx: Pick<Ctx, "db">, ids: string[]): Promise<TrackView[]> {
  return listTrackViews(ctx.db, { ids }, "newest", { limit: ids.length, offset: 0 });
}

export async function createPlaylist(
  ctx: Ctx,
  actor: Actor,
  input: PlaylistInput,
): Promise<PlaylistView> {
  const id = await transaction(ctx, async (tx, effects) => {
    const [row] = await tx
      .insert(playlists)
      .values({
        userId: actor.userId,
        title: cleanText(input.title),
        description: input.description ?? null,
        isPublic: input.isPublic ?? false,
      })
      .returning({ id: playlists.id });
    if (!row) throw new Error("insert returned no row");
    await recordAudit(tx, ctx.meta, actor, {
      action: "playlist.create",
      entityType: "playlist",
      entityId: row.id,
    });
    effects.syncSearch({ playlists: [row.id] });
    return row.id;
  });
  return (await loadView(ctx, id))!;
}

export async function updatePlaylist(
  ctx: Ctx,
  actor: Actor,
  id: string,
  patch: Partial<PlaylistInput>,
): Promise<PlaylistView> {
  await transaction(ctx, async (tx, effects) => {
    await lockOwned(tx, actor, id);
    await tx
      .update(playlists)
      .set({
        ...(patch.title !== undefined ? { title: cleanText(patch.title) } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.isPublic !== undefined ? { isPublic: patch.isPublic } : {}),
        updatedAt: new Date(),
      })
      .where(eq(playlists.id, id));
    await recordAudit(tx, ctx.meta, actor, {
      action: "playlist.update",
      entityType: "playlist",
      entityId: id,
      details: { fields: Object.keys(patch) },
    });
    // Made private: the document goes; made public or renamed: it is (re)written.
    effects.syncSearch({ playlists: [id] });
  });
  return (await loadView(ctx, id))!;
}

export async function deletePlaylist(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  await transaction(ctx, async (tx, effects) => {
    await lockOwned(tx, actor, id);
    await tx.delete(playlists).where(eq(playlists.id, id));
    await recordAudit(tx, ctx.meta, actor, {
      action: "playlist.delete",
      entityType: "playlist",
      entityId: id,
    });
    effects.syncSearch({ playlists: [id] });
  });
}

/** Adds a track at `position` (0-based; default: the end), shifting later entries down. */
export async function addPlaylistTrack(
  ctx: Ctx,
  actor: Actor,
  id: string,
  trackId: string,
  position?: number,
): Promise<PlaylistDetail> {
  try {
    await transaction(ctx, async (tx, effects) => {
      await lockOwned(tx, actor, id);
      const [{ n } = { n: 0 }] = await tx
        .select({ n: count() })
        .from(playlistTracks)
        .where(eq(playlistTracks.playlistId, id));
      if (n >= MAX_PLAYLIST_TRACKS) throw PlaylistErrors.tooLong(MAX_PLAYLIST_TRACKS);
      const [track] = await tx
        .select({ id: tracks.id })
        .from(tracks)
        .where(eq(tracks.id, trackId))
        .limit(1);
      if (!track) throw CommonErrors.notFound("track", trackId);
      const at = position === undefined ? n : Math.min(position, n);
      if (at < n) await shift(tx, id, at, 1);
      await tx.insert(playlistTracks).values({ playlistId: id, trackId, position: at });
      await touch(tx, id);
      await recordAudit(tx, ctx.meta, actor, {
        action: "playlist.add_track",
        entityType: "playlist",
        entityId: id,
        details: { trackId, position: at },
      });
      effects.syncSearch({ playlists: [id] });
    });
  } catch (error) {
    throw (
      toDomainError(error, {
        unique: () => PlaylistErrors.trackAlreadyIn(),
        missingReference: () => CommonErrors.notFound("track", trackId),
      }) ?? error
    );
  }
  return getPlaylist(ctx, actor, id);
}

export async function removePlaylistTrack(
  ctx: Ctx,
  actor: Actor,
  id: string,
  trackId: string,
): Promise<PlaylistDetail> {
  await transaction(ctx, async (tx, effects) => {
    await lockOwned(tx, actor, id);
    const [removed] = await tx
      .delete(playlistTracks)
      .where(and(eq(playlistTracks.playlistId, id), eq(playlistTracks.trackId, trackId)))
      .returning({ position: playlistTracks.position });
    if (!removed) throw PlaylistErrors.trackNotIn(trackId);
    await shift(tx, id, removed.position + 1, -1);
    await touch(tx, id);
    await recordAudit(tx, ctx.meta, actor, {
      action: "playlist.remove_track",
      entityType: "playlist",
      entityId: id,
      details: { trackId },
    });
    effects.syncSearch({ playlists: [id] });
  });
  return getPlaylist(ctx, actor, id);
}

/** Replaces the order: `trackIds` must be a permutation of the playlist's tracks. */
export async function reorderPlaylist(
  ctx: Ctx,
  actor: Actor,
  id: string,
  trackIds: string[],
): Promise<PlaylistDetail> {
  await ctx.db.transaction(async (tx) => {
    await lockOwned(tx, actor, id);
    const current = await tx
      .select({ trackId: playlistTracks.trackId })
      .from(playlistTracks)
      .where(eq(playlistTracks.playlistId, id));
    const have = new Set(current.map((r) => r.trackId));
    const want = new Set(trackIds);
    if (
      want.size !== trackIds.length ||
      want.size !== have.size ||
      trackIds.some((t) => !have.has(t))
    )
      throw PlaylistErrors.badOrder();
    // Move every entry out of the way first so the unique (playlist, position) never collides midway.
    await tx
      .update(playlistTracks)
      .set({ position: sql`-1 - ${playlistTracks.position}` })
      .where(eq(playlistTracks.playlistId, id));
    if (trackIds.length > 0) {
      const ids = sql.join(
        trackIds.map((t) => sql`${t}`),
        sql`, `,
      );
      await tx.execute(sql`
        update playlist_tracks pt set position = o.ord - 1
        from unnest(array[${ids}]::uuid[]) with ordinality as o(track_id, ord)
        where pt.playlist_id = ${id} and pt.track_id = o.track_id`);
    }
    await touch(tx, id);
    await recordAudit(tx, ctx.meta, actor, {
      action: "playlist.reorder",
      entityType: "playlist",
      entityId: id,
    });
  });
  return getPlaylist(ctx, actor, id);
}

/**
 * Takes a track out of every playlist that holds it and closes each gap, so positions stay
 * 0..n-1. Call inside the transaction that deletes the track, after locking the track row:
 * the ON DELETE CASCADE alone would leave holes that later adds collide with.
 */
export async function detachTrackFromPlaylists(
  tx: Tx,
  effects: TxEffects,
  trackId: string,
): Promise<void> {
  // Lock the holders in id order (as concurrent deletes do), so no add, remove or reorder interleaves.
  const holders = await tx
    .select({ id: playlists.id })
    .from(playlists)
    .where(
      inArray(
        playlists.id,
        tx
          .select({ id: playlistTracks.playlistId })
          .from(playlistTracks)
          .where(eq(playlistTracks.trackId, trackId)),
      ),
    )
    .orderBy(asc(playlists.id))
    .for("update");
  if (holders.length === 0) return;
  const removed = await tx
    .delete(playlistTracks)
    .where(eq(playlistTracks.trackId, trackId))
    .returning({ playlistId: playlistTracks.playlistId, position: playlistTracks.position });
  if (removed.length === 0) return;
  // Their track counts change.
  effects.syncSearch({ playlists: removed.map((r) => r.playlistId) });
  // One array parameter each, however many playlists; two steps as in shift().
  const playlistIds = `{${removed.map((r) => r.playlistId).join(",")}}`;
  const positions = `{${removed.map((r) => r.position).join(",")}}`;
  await tx.execute(sql`
    update playlist_tracks pt set position = -1 - pt.position
    from unnest(${playlistIds}::uuid[], ${positions}::int[]) as r(playlist_id, position)
    where pt.playlist_id = r.playlist_id and pt.position > r.position`);
  await tx.execute(sql`
    update playlist_tracks set position = -2 - position
    where playlist_id = any(${playlistIds}::uuid[]) and position < 0`);
}

async function lockOwned(tx: Tx, actor: Actor, id: string): Promise<void> {
  const [row] = await tx
    .select({ userId: playlists.userId })
    .from(playlists)
    .where(eq(playlists.id, id))
    .limit(1)
    .for("update");
  if (!row) throw PlaylistErrors.notFound(id);
  if (row.userId !== actor.userId) {
    // Someone else's private playlist does not exist as far as they can tell.
    const [pub] = await tx
      .select({ isPublic: playlists.isPublic })
      .from(playlists)
      .where(eq(playlists.id, id));
    if (!pub?.isPublic && actor.role !== "admin") throw PlaylistErrors.notFound(id);
    throw PlaylistErrors.notOwner();
  }
}

/** Moves entries at or after `from` by `delta`, in two steps so the unique position never collides. */
async function shift(tx: Tx, id: string, from: number, delta: number): Promise<void> {
  const where = and(eq(playlistTracks.playlistId, id), gte(playlistTracks.position, from));
  await tx
    .update(playlistTracks)
    .set({ position: sql`-1 - ${playlistTracks.position}` })
    .where(where);
  await tx
    .update(playlistTracks)
    .set({ position: sql`-1 - ${playlistTracks.position} + ${delta}` })
    .where(and(eq(playlistTracks.playlistId, id), sql`${playlistTracks.position} < 0`));
}

async function touch(tx: Tx, id: string): Promise<void> {
  await tx.update(playlists).set({ updatedAt: new Date() }).where(eq(playlists.id, id));
}
