import { and, desc, eq, inArray } from "drizzle-orm";
import { albums } from "../album/album.sql";
import { artists } from "../artist/artist.sql";
import type { Actor, Ctx } from "../context";
import { toDomainError } from "../db/errors";
import type { Executor } from "../db/types";
import { CommonErrors } from "../errors";
import { tracks } from "../track/track.sql";
import { listTrackViews, type TrackView } from "../track/views";
import { toPage, type Page, type PageQuery } from "../util/page";
import { albumLikes, artistLikes, trackLikes } from "./like.sql";

export type LikeKind = "track" | "album" | "artist";

const tables = {
  track: { table: trackLikes, column: trackLikes.trackId, target: tracks, targetId: tracks.id },
  album: { table: albumLikes, column: albumLikes.albumId, target: albums, targetId: albums.id },
  artist: {
    table: artistLikes,
    column: artistLikes.artistId,
    target: artists,
    targetId: artists.id,
  },
} as const;

/** Likes (stars) an item; liking twice keeps the first time. Returns when it was liked. */
export async function like(
  ctx: Pick<Ctx, "db">,
  actor: Actor,
  kind: LikeKind,
  id: string,
): Promise<{ likedAt: string }> {
  const t = tables[kind];
  try {
    await ctx.db
      .insert(t.table)
      .values({ userId: actor.userId, [kindKey(kind)]: id } as never)
      .onConflictDoNothing();
  } catch (error) {
    throw (
      toDomainError(error, { missingReference: () => CommonErrors.notFound(kind, id) }) ?? error
    );
  }
  const [row] = await ctx.db
    .select({ createdAt: t.table.createdAt })
    .from(t.table)
    .where(and(eq(t.table.userId, actor.userId), eq(t.column, id)))
    .limit(1);
  return { likedAt: (row?.createdAt ?? new Date()).toISOString() };
}

/** Removes a like; idempotent. */
export async function unlike(
  ctx: Pick<Ctx, "db">,
  actor: Actor,
  kind: LikeKind,
  id: string,
): Promise<void> {
  const t = tables[kind];
  await ctx.db.delete(t.table).where(and(eq(t.table.userId, actor.userId), eq(t.column, id)));
}

const kindKey = (kind: LikeKind) =>
  kind === "track" ? "trackId" : kind === "album" ? "albumId" : "artistId";

/** When the user liked each of these items (absent: not liked). */
export async function likedAtMap(
  db: Executor,
  userId: string,
  kind: LikeKind,
  ids: readonly string[],
): Promise<Map<string, Date>> {
  if (ids.length === 0) return new Map();
  const t = tables[kind];
  const rows = await db
    .select({ id: t.column, createdAt: t.table.createdAt })
    .from(t.table)
    .where(and(eq(t.table.userId, userId), inArray(t.column, [...ids])));
  return new Map(rows.map((r) => [r.id, r.createdAt]));
}

/** Ids the user liked, newest first. */
export async function listLikedIds(
  db: Executor,
  userId: string,
  kind: LikeKind,
  page: PageQuery,
): Promise<{ id: string; likedAt: Date }[]> {
  const t = tables[kind];
  return db
    .select({ id: t.column, likedAt: t.table.createdAt })
    .from(t.table)
    .where(eq(t.table.userId, userId))
    .orderBy(desc(t.table.createdAt), desc(t.column))
    .limit(page.limit)
    .offset(page.offset);
}

export interface LikedTrack {
  likedAt: string;
  track: TrackView;
}

/** "Liked songs": the user's liked tracks, newest like first. */
export async function listLikedTracks(
  ctx: Pick<Ctx, "db">,
  actor: Actor,
  page: PageQuery,
): Promise<Page<LikedTrack>> {
  const liked = await listLikedIds(ctx.db, actor.userId, "track", {
    limit: page.limit + 1,
    offset: page.offset,
  });
  const views = new Map(
    (
      await listTrackViews(ctx.db, { ids: liked.map((l) => l.id) }, "newest", {
        limit: Math.max(1, liked.length),
        offset: 0,
      })
    ).map((v) => [v.id, v]),
  );
  return toPage(
    liked.flatMap((l) => {
      const track = views.get(l.id);
      return track ? [{ likedAt: l.likedAt.toISOString(), track }] : [];
    }),
    page,
  );
}
