import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { albums } from "../album/album.sql";
import { artists } from "../artist/artist.sql";
import { createLru } from "../util/lru";
import type { Cache } from "../cache/cache";
import type { Executor } from "../db/types";
import { namespaceKey } from "../util/json-cache";
import { genres } from "../genre/genre.sql";

import { tracks } from "../track/track.sql";

/**
 * Album and artist listings for player apps (the Subsonic API's album lists and artist index):
 * each album with its song count, duration, plays, year and main genre.
 */

export interface AlbumSummary {
  id: string;
  title: string;
  artistId: string;
  artistName: string;
  songCount: number;
  durationMs: number;
  playCount: number;
  year: number | null;
  genre: string | null;
  coverImageUrl: string | null;
  createdAt: Date;
  /** When the asking user starred it (when a user was given). */
  starred?: Date | undefined;
  /** The asking user's 1–5 rating of it (when a user was given and rated it). */
  userRating?: number | undefined;
}

export interface ArtistSummary {
  id: string;
  name: string;
  albumCount: number;
  imageUrl: string | null;
}

export const ALBUM_LIST_TYPES = [
  "random",
  "newest",
  "highest",
  "frequent",
  "recent",
  "alphabeticalByName",
  "alphabeticalByArtist",
  "starred",
  "byYear",
  "byGenre",
] as const;
export type AlbumListType = (typeof ALBUM_LIST_TYPES)[number];

const year = sql<
  number | null
>`coalesce(extract(year from ${albums.releaseDate})::int, (select max(t.year)::int from tracks t where t.album_id = ${albums.id}))`;

const albumColumns = {
  id: albums.id,
  title: albums.title,
  artistId: artists.id,
  artistName: artists.name,
  songCount: sql<number>`(select count(*)::int from tracks t where t.album_id = ${albums.id})`,
  durationMs: sql<number>`(select coalesce(sum(t.duration_ms), 0)::bigint from tracks t where t.album_id = ${albums.id})`,
  playCount: sql<number>`(select coalesce(sum(t.play_count), 0)::bigint from tracks t where t.album_id = ${albums.id})`,
  year,
  genre: sql<
    string | null
  >`(select g.name from tracks t join genres g on g.id = t.genre_id where t.album_id = ${albums.id} group by g.name order by count(*) desc, g.name limit 1)`,
  coverImageUrl: albums.coverImageUrl,
  createdAt: albums.createdAt,
};

const toSummary = (r: {
  id: string;
  title: string;
  artistId: string;
  artistName: string;
  songCount: number;
  durationMs: number;
  playCount: number;
  year: number | null;
  genre: string | null;
  coverImageUrl: string | null;
  createdAt: Date;
}): AlbumSummary => ({
  ...r,
  songCount: Number(r.songCount),
  durationMs: Number(r.durationMs),
  playCount: Number(r.playCount),
  year: r.year === null ? null : Number(r.year),
});

export interface AlbumListQuery {
  type: AlbumListType;
  size: number;
  offset: number;
  userId: string;
  fromYear?: number | undefined;
  toYear?: number | undefined;
  genre?: string | undefined;
  artistId?: string | undefined;
}

/** The filter and order of an album list type. */
function albumListPlan(q: AlbumListQuery): { where: SQL | undefined; order: SQL[] } {
  let where: SQL | undefined;
  let order: SQL[];
  const albumPlayedAt = sql`(select max(lh.played_at) from listening_history lh join tracks t on t.id = lh.track_id where lh.user_id = ${q.userId} and t.album_id = ${albums.id})`;
  switch (q.type) {
    case "random":
      order = [sql`random()`];
      break;
    case "newest":
      order = [desc(albums.createdAt), desc(albums.id)];
      break;
    case "highest":
      // Albums rated as albums first, then by their tracks' ratings.
      order = [
        sql`(select avg(r.rating) from album_ratings r where r.album_id = ${albums.id}) desc nulls last`,
        sql`(select avg(r.rating) from track_ratings r join tracks t on t.id = r.track_id where t.album_id = ${albums.id}) desc nulls last`,
        asc(albums.id),
      ];
      break;
    case "frequent":
      order = [sql`${albumColumns.playCount} desc`, asc(albums.id)];
      break;
    case "recent":
      where = sql`${albumPlayedAt} is not null`;
      order = [sql`${albumPlayedAt} desc`, asc(albums.id)];
      break;
    case "alphabeticalByName":
      order = [sql`lower(${albums.title})`, asc(albums.id)];
      break;
    case "alphabeticalByArtist":
      order = [sql`lower(${artists.name})`, sql`lower(${albums.title})`, asc(albums.id)];
      break;
    case "starred":
      where = sql`exists (select 1 from album_likes l where l.user_id = ${q.userId} and l.album_id = ${albums.id})`;
      order = [
        sql`(select l.created_at from album_likes l where l.user_id = ${q.userId} and l.album_id = ${albums.id}) desc`,
        asc(albums.id),
      ];
      break;
    case "byYear": {
      const from = q.fromYear ?? 0;
      const to = q.toYear ?? 9999;
      where = sql`${year} between ${Math.min(from, to)} and ${Math.max(from, to)}`;
      order = [from <= to ? sql`${year} asc` : sql`${year} desc`, asc(albums.id)];
      break;
    }
    case "byGenre":
      where = sql`exists (select 1 from tracks t join genres g on g.id = t.genre_id where t.album_id = ${albums.id} and lower(g.name) = lower(${q.genre ?? ""}))`;
      order = [sql`lower(${albums.title})`, asc(albums.id)];
      break;
  }
  return { where, order };
}

/** One page of albums in the order (and filter) the list type names. */
export async function listAlbumSummaries(db: Executor, q: AlbumListQuery): Promise<AlbumSummary[]> {
  const { where, order } = albumListPlan(q);
  // The page of ids (a subquery), then per album of the page its stats: one statement.
  const page = db
    .select({ id: albums.id })
    .from(albums)
    .innerJoin(artists, eq(artists.id, albums.artistId))
    .where(and(where, q.artistId ? eq(albums.artistId, q.artistId) : undefined))
    .orderBy(...order)
    .limit(q.size)
    .offset(q.offset);
  const rows = await summaryRows(db, q.userId)
    .where(inArray(albums.id, page))
    .orderBy(...order);
  return rows.map(rowToSummary);
}

/**
 * Album stats without user state, per process, for `listAlbumPage`: valid while the catalog's
 * "tracks" generation (bumped by every track write and ingestion) is unchanged, and 30 s at most
 * (an album's own title or cover edit shows within that).
 */
const albumStats = createLru<string, { gen: string; summary: AlbumSummary }>(20_000, {
  ttl: 30_000,
});

/** Album stats without user state, from the per-process cache (the missing ones read once). */
export async function albumCatalogSummaries(
  db: Executor,
  gen: string,
  ids: string[],
): Promise<Map<string, AlbumSummary>> {
  const missing = ids.filter((id) => albumStats.get(id)?.gen !== gen);
  for (const summary of await getAlbumSummaries(db, missing)) {
    const { starred: _s, userRating: _r, ...catalog } = summary;
    albumStats.set(summary.id, { gen, summary: catalog });
  }
  const out = new Map<string, AlbumSummary>();
  for (const id of ids) {
    const cached = albumStats.get(id);
    if (cached) out.set(id, cached.summary);
  }
  return out;
}

/** The catalog generation the album and song caches are valid for. */
export const catalogGeneration = (cache: Cache) => namespaceKey(cache, "tracks", "catalog");

/**
 * `listAlbumSummaries` for the apps' hot album lists in one statement when warm: the page of
 * ids with the user's star and rating, the stats (count, duration, plays, year, genre) from the
 * per-process cache; only albums not cached cost a second statement.
 */
export async function listAlbumPage(
  ctx: { db: Executor; cache: Cache },
  q: AlbumListQuery,
): Promise<AlbumSummary[]> {
  const { where, order } = albumListPlan(q);
  const [gen, page] = await Promise.all([
    catalogGeneration(ctx.cache),
    ctx.db
      .select({
        id: albums.id,
        starred: sql<
          Date | string | null
        >`(select l.created_at from album_likes l where l.user_id = ${q.userId} and l.album_id = ${albums.id})`,
        rating: sql<
          number | null
        >`(select r.rating from album_ratings r where r.user_id = ${q.userId} and r.album_id = ${albums.id})`,
      })
      .from(albums)
      .innerJoin(artists, eq(artists.id, albums.artistId))
      .where(and(where, q.artistId ? eq(albums.artistId, q.artistId) : undefined))
      .orderBy(...order)
      .limit(q.size)
      .offset(q.offset),
  ]);
  const catalog = await albumCatalogSummaries(
    ctx.db,
    gen,
    page.map((r) => r.id),
  );
  return page.flatMap((r) => {
    const summary = catalog.get(r.id);
    if (!summary) return [];
    return [
      {
        ...summary,
        ...(r.starred ? { starred: new Date(r.starred) } : {}),
        ...(r.rating != null ? { userRating: Number(r.rating) } : {}),
      },
    ];
  });
}

/**
 * Albums (those `albumFilter` keeps; `trackFilter` is the same set on `tracks.album_id`) with
 * their stats from one grouped pass over their tracks (count, duration, plays, year, most
 * common genre) and the user's star: one statement.
 */
function summaryRows(db: Executor, userId: string | undefined) {
  // A lateral aggregate per album walks tracks_album_idx for that album only.
  const stats = db
    .select({
      songCount: sql<number>`count(*)::int`.as("song_count"),
      durationMs: sql<number>`coalesce(sum(${tracks.durationMs}), 0)::bigint`.as("duration_sum"),
      playCount: sql<number>`coalesce(sum(${tracks.playCount}), 0)::bigint`.as("play_sum"),
      year: sql<number | null>`max(${tracks.year})::int`.as("max_year"),
      genreId: sql<number | null>`mode() within group (order by ${tracks.genreId})`.as(
        "genre_mode",
      ),
    })
    .from(tracks)
    .where(eq(tracks.albumId, albums.id))
    .as("stats");
  return db
    .select({
      id: albums.id,
      title: albums.title,
      artistId: artists.id,
      artistName: artists.name,
      releaseDate: albums.releaseDate,
      songCount: stats.songCount,
      durationMs: stats.durationMs,
      playCount: stats.playCount,
      trackYear: stats.year,
      // A scalar look-up by primary key: as a join beside the lateral aggregate, PostgreSQL
      // hashed the genres table once per album (20 of the 23 ms of a page of 50, EXPLAIN ANALYZE).
      genre: sql<string | null>`(select g.name from genres g where g.id = ${stats.genreId})`,
      coverImageUrl: albums.coverImageUrl,
      createdAt: albums.createdAt,
      starred: userId
        ? sql<
            Date | string | null
          >`(select l.created_at from album_likes l where l.user_id = ${userId} and l.album_id = ${albums.id})`
        : sql<null>`null`,
      rating: userId
        ? sql<
            number | null
          >`(select r.rating from album_ratings r where r.user_id = ${userId} and r.album_id = ${albums.id})`
        : sql<null>`null`,
    })
    .from(albums)
    .innerJoin(artists, eq(artists.id, albums.artistId))
    .leftJoinLateral(stats, sql`true`)
    .$dynamic();
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryRows>["execute"]>>[number];

const rowToSummary = (r: SummaryRow): AlbumSummary =>
  toSummary({
    id: r.id,
    title: r.title,
    artistId: r.artistId,
    artistName: r.artistName,
    songCount: r.songCount ?? 0,
    durationMs: r.durationMs ?? 0,
    playCount: r.playCount ?? 0,
    year: r.releaseDate ? Number(r.releaseDate.slice(0, 4)) : r.trackYear,
    genre: r.genre,
    coverImageUrl: r.coverImageUrl,
    createdAt: r.createdAt,
    ...(r.starred ? { starred: new Date(r.starred) } : {}),
    ...(r.rating != null ? { userRating: Number(r.rating) } : {}),
  });

/** Albums with their stats, in the order of `ids`. */
export async function getAlbumSummaries(
  db: Executor,
  ids: string[],
  userId?: string,
): Promise<AlbumSummary[]> {
  if (ids.length === 0) return [];
  const rows = await summaryRows(db, userId).where(inArray(albums.id, ids));
  const byId = new Map(rows.map((r) => [r.id, rowToSummary(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** An artist's albums, newest release first. */
export async function listArtistAlbums(
  db: Executor,
  artistId: string,
  userId?: string,
): Promise<AlbumSummary[]> {
  const page = await db
    .select({ id: albums.id })
    .from(albums)
    .where(eq(albums.artistId, artistId))
    .orderBy(sql`${year} desc nulls last`, asc(albums.title));
  return getAlbumSummaries(
    db,
    page.map((r) => r.id),
    userId,
  );
}

const artistColumns = {
  id: artists.id,
  name: artists.name,
  albumCount: sql<number>`(select count(*)::int from albums al where al.artist_id = ${artists.id})`,
  imageUrl: artists.imageUrl,
};

/** Artists that have at least one track, by name (for an index), paged. */
export async function listArtistSummaries(
  db: Executor,
  page: { limit: number; offset: number } = { limit: 100_000, offset: 0 },
): Promise<ArtistSummary[]> {
  const rows = await db
    .select(artistColumns)
    .from(artists)
    .where(sql`exists (select 1 from tracks t where t.artist_id = ${artists.id})`)
    .orderBy(asc(artists.nameKey), asc(artists.id))
    .limit(page.limit)
    .offset(page.offset);
  return rows.map((r) => ({ ...r, albumCount: Number(r.albumCount) }));
}

export async function getArtistSummaries(db: Executor, ids: string[]): Promise<ArtistSummary[]> {
  if (ids.length === 0) return [];
  const rows = await db.select(artistColumns).from(artists).where(inArray(artists.id, ids));
  const byId = new Map(rows.map((r) => [r.id, { ...r, albumCount: Number(r.albumCount) }]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Genres with their song and album counts (only genres in use). */
export async function listGenreCounts(
  db: Executor,
): Promise<{ name: string; songCount: number; albumCount: number }[]> {
  const rows = await db
    .select({
      name: genres.name,
      songCount: sql<number>`count(*)::int`,
      albumCount: sql<number>`count(distinct ${tracks.albumId})::int`,
    })
    .from(tracks)
    .innerJoin(genres, eq(genres.id, tracks.genreId))
    .groupBy(genres.name)
    .orderBy(asc(genres.name));
  return rows.map((r) => ({
    ...r,
    songCount: Number(r.songCount),
    albumCount: Number(r.albumCount),
  }));
}

/** The genre id of a genre name or slug (case-insensitive), or null. */
export async function findGenreId(db: Executor, name: string): Promise<number | null> {
  const [row] = await db
    .select({ id: genres.id })
    .from(genres)
    .where(sql`lower(${genres.name}) = lower(${name}) or ${genres.slug} = lower(${name})`)
    .limit(1);
  return row?.id ?? null;
}

/** Track ids in catalog order (for paging through everything), or at random. */
export async function listTrackIds(
  db: Executor,
  q: {
    limit: number;
    offset: number;
    random?: boolean;
    genreId?: number | undefined;
    fromYear?: number | undefined;
    toYear?: number | undefined;
    artistId?: string | undefined;
    order?: "popularity" | "catalog";
  },
): Promise<string[]> {
  const rows = await db
    .select({ id: tracks.id })
    .from(tracks)
    .where(
      and(
        q.genreId !== undefined ? eq(tracks.genreId, q.genreId) : undefined,
        q.fromYear !== undefined ? sql`${tracks.year} >= ${q.fromYear}` : undefined,
        q.toYear !== undefined ? sql`${tracks.year} <= ${q.toYear}` : undefined,
        q.artistId ? eq(tracks.artistId, q.artistId) : undefined,
      ),
    )
    .orderBy(
      ...(q.random
        ? [sql`random()`]
        : q.order === "popularity"
          ? [desc(tracks.popularity), asc(tracks.id)]
          : [asc(tracks.createdAt), asc(tracks.id)]),
    )
    .limit(q.limit)
    .offset(q.offset);
  return rows.map((r) => r.id);
}
