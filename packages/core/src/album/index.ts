import { and, asc, desc, eq, sql } from "drizzle-orm";
import { resolveWritableArtist } from "../artist";
import { artists } from "../artist/artist.sql";
import { recordAudit } from "../audit/audit";
import type { Actor, Ctx } from "../context";
import { toDomainError } from "../db/errors";
import type { Executor } from "../db/types";
import { AppError, CommonErrors } from "../errors";
import { transaction } from "../db/transaction";
import { albumCoverRoute } from "../track/cover";
import { listTrackViews, type TrackView } from "../track/views";
import { toPage, type Page, type PageQuery } from "../util/page";
import { cleanText, nameKey } from "../util/text";
import { albums } from "./album.sql";

export interface AlbumView {
  id: string;
  title: string;
  releaseDate: string | null;
  coverImageUrl: string | null;
  artist: { id: string; name: string };
  trackCount: number;
  createdAt: string;
}

export interface AlbumDetail extends AlbumView {
  tracks: TrackView[];
}

export interface ListAlbumsQuery extends PageQuery {
  artistId?: string | undefined;
}

export interface CreateAlbumInput {
  title: string;
  releaseDate?: string | null | undefined;
  coverImageUrl?: string | null | undefined;
  artistId?: string | null | undefined;
}

const trackCount = sql<number>`(select count(*)::int from tracks t where t.album_id = ${albums.id})`;

const albumColumns = {
  id: albums.id,
  title: albums.title,
  releaseDate: albums.releaseDate,
  coverImageUrl: sql<
    string | null
  >`coalesce(${albums.coverImageUrl}, ${albumCoverRoute(sql`${albums.id}`)})`,
  createdAt: albums.createdAt,
  artistId: artists.id,
  artistName: artists.name,
  trackCount,
};

type AlbumRow = {
  id: string;
  title: string;
  releaseDate: string | null;
  coverImageUrl: string | null;
  createdAt: Date;
  artistId: string;
  artistName: string;
  trackCount: number;
};

const toAlbumView = (r: AlbumRow): AlbumView => ({
  id: r.id,
  title: r.title,
  releaseDate: r.releaseDate,
  coverImageUrl: r.coverImageUrl,
  artist: { id: r.artistId, name: r.artistName },
  trackCount: Number(r.trackCount),
  createdAt: r.createdAt.toISOString(),
});

export async function listAlbums(ctx: Ctx, query: ListAlbumsQuery): Promise<Page<AlbumView>> {
  const rows = await ctx.db
    .select(albumColumns)
    .from(albums)
    .innerJoin(artists, eq(artists.id, albums.artistId))
    .where(query.artistId ? eq(albums.artistId, query.artistId) : undefined)
    .orderBy(desc(sql`coalesce(${albums.releaseDate}, ${albums.createdAt}::date)`), asc(albums.id))
    .limit(query.limit + 1)
    .offset(query.offset);
  return toPage(rows.map(toAlbumView), query);
}

export async function getAlbum(ctx: Ctx, id: string): Promise<AlbumDetail> {
  const [row] = await ctx.db
    .select(albumColumns)
    .from(albums)
    .innerJoin(artists, eq(artists.id, albums.artistId))
    .where(eq(albums.id, id))
    .limit(1);
  if (!row) throw CommonErrors.notFound("album", id);
  const tracks = await listTrackViews(ctx.db, { albumId: id }, "album", { limit: 500, offset: 0 });
  return { ...toAlbumView(row), tracks };
}

export async function createAlbum(
  ctx: Ctx,
  actor: Actor,
  input: CreateAlbumInput,
): Promise<AlbumView> {
  const title = cleanText(input.title);
  try {
    const id = await transaction(ctx, async (tx, effects) => {
      const artistId = await resolveWritableArtist(tx, actor, input.artistId);
      const [row] = await tx
        .insert(albums)
        .values({
          artistId,
          title,
          titleKey: nameKey(title),
          releaseDate: input.releaseDate ?? null,
          coverImageUrl: input.coverImageUrl ?? null,
        })
        .returning({ id: albums.id });
      if (!row) throw new Error("insert returned no row");
      await recordAudit(tx, ctx.meta, actor, {
        action: "album.create",
        entityType: "album",
        entityId: row.id,
        details: { title, artistId },
      });
      effects.syncSearch({ albums: [row.id] });
      return row.id;
    });
    const { tracks: _tracks, ...view } = await getAlbum(ctx, id);
    return view;
  } catch (error) {
    throw (
      toDomainError(error, {
        unique: () =>
          new AppError("album_exists", 409, `This artist already has an album titled "${title}".`),
      }) ?? error
    );
  }
}

/**
 * The artist's album of that title (titles merge by normalised title), created with the given
 * release date if there is none, in the caller's transaction: Load files an upload's album. An
 * album that exists keeps its release date.
 */
export async function findOrCreateAlbum(
  tx: Executor,
  artistId: string,
  title: string,
  releaseDate: string | null,
): Promise<string> {
  const [row] = await tx
    .insert(albums)
    .values({ artistId, title, titleKey: nameKey(title), releaseDate })
    .onConflictDoUpdate({
      target: [albums.artistId, albums.titleKey],
      set: { updatedAt: new Date() },
    })
    .returning({ id: albums.id });
  return row!.id;
}

/** Throws unless the album exists and belongs to the given artist. */
export async function assertAlbumOfArtist(
  ctx: Pick<Ctx, "db">,
  albumId: string,
  artistId: string,
): Promise<void> {
  const [row] = await ctx.db
    .select({ id: albums.id })
    .from(albums)
    .where(and(eq(albums.id, albumId), eq(albums.artistId, artistId)))
    .limit(1);
  if (!row)
    throw CommonErrors.invalid(
      "album_mismatch",
      "That album does not exist or belongs to another artist.",
    );
}
