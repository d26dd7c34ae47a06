import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { albums } from "../album/album.sql";
import { artists } from "../artist/artist.sql";
import type { Executor } from "../db/types";
import { genres } from "../genre/genre.sql";
import type { PageQuery } from "../util/page";
import { albumCoverRoute, trackCoverRoute } from "./cover";
import { tracks } from "./track.sql";

export interface TrackView {
  id: string;
  title: string;
  artist: { id: string; name: string };
  album: { id: string; title: string } | null;
  genre: { id: number; name: string; slug: string } | null;
  genreSource: "tag" | "predicted" | "manual" | null;
  genreConfidence: number | null;
  /** Version of the genre model behind a predicted genre or an abstention. */
  genreModelVersion: string | null;
  /** Why the model gave no genre (confidence below its threshold). */
  genreAbstainReason: string | null;
  trackNumber: number | null;
  discNumber: number | null;
  year: number | null;
  durationMs: number;
  popularity: number;
  playCount: number;
  tempo: number | null;
  tempoConfidence: number | null;
  tempoReason: string | null;
  energy: number | null;
  valence: number | null;
  loudness: number | null;
  truePeakDb: number | null;
  trackGainDb: number | null;
  fileFormat: string | null;
  hasAudio: boolean;
  coverUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TrackFilter {
  id?: string | undefined;
  ids?: string[] | undefined;
  genreSlug?: string | undefined;
  genreId?: number | undefined;
  artistId?: string | undefined;
  albumId?: string | undefined;
  year?: number | undefined;
}

export type TrackSort = "popularity" | "title" | "newest" | "album";

const columns = {
  id: tracks.id,
  title: tracks.title,
  artistId: artists.id,
  artistName: artists.name,
  albumId: albums.id,
  albumTitle: albums.title,
  albumCover: sql<
    string | null
  >`coalesce(${albums.coverImageUrl}, ${albumCoverRoute(sql`${albums.id}`)})`,
  genreId: genres.id,
  genreName: genres.name,
  genreSlug: genres.slug,
  genreSource: tracks.genreSource,
  genreConfidence: tracks.genreConfidence,
  genreModelVersion: tracks.genreModelVersion,
  genreAbstainReason: tracks.genreAbstainReason,
  trackNumber: tracks.trackNumber,
  discNumber: tracks.discNumber,
  year: tracks.year,
  durationMs: tracks.durationMs,
  popularity: tracks.popularity,
  playCount: tracks.playCount,
  tempo: tracks.tempo,
  tempoConfidence: tracks.tempoConfidence,
  tempoReason: tracks.tempoReason,
  energy: tracks.energy,
  valence: tracks.valence,
  loudness: tracks.loudness,
  truePeakDb: tracks.truePeakDb,
  trackGainDb: tracks.trackGainDb,
  fileFormat: tracks.fileFormat,
  filePath: tracks.filePath,
  coverUrl: sql<string | null>`coalesce(${tracks.coverUrl}, ${trackCoverRoute(sql`${tracks.id}`)})`,
  createdAt: tracks.createdAt,
  updatedAt: tracks.updatedAt,
};

type Row = Awaited<ReturnType<typeof selectTracks>>[number];

function toTrackView(r: Row): TrackView {
  return {
    id: r.id,
    title: r.title,
    artist: { id: r.artistId, name: r.artistName },
    album: r.albumId && r.albumTitle ? { id: r.albumId, title: r.albumTitle } : null,
    genre:
      r.genreId != null && r.genreName && r.genreSlug
        ? { id: r.genreId, name: r.genreName, slug: r.genreSlug }
        : null,
    genreSource: r.genreSource,
    genreConfidence: r.genreConfidence,
    genreModelVersion: r.genreModelVersion,
    genreAbstainReason: r.genreAbstainReason,
    trackNumber: r.trackNumber,
    discNumber: r.discNumber,
    year: r.year,
    durationMs: r.durationMs,
    popularity: r.popularity,
    playCount: r.playCount,
    tempo: r.tempo,
    tempoConfidence: r.tempoConfidence,
    tempoReason: r.tempoReason,
    energy: r.energy,
    valence: r.valence,
    loudness: r.loudness,
    truePeakDb: r.truePeakDb,
    trackGainDb: r.trackGainDb,
    fileFormat: r.fileFormat,
    hasAudio: r.filePath != null,
    coverUrl: r.coverUrl ?? r.albumCover,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const orderings: Record<TrackSort, SQL[]> = {
  popularity: [sql`${tracks.popularity} desc nulls last`, asc(tracks.id)],
  title: [sql`lower(${tracks.title})`, asc(tracks.id)],
  newest: [sql`${tracks.createdAt} desc nulls last`, desc(tracks.id)],
  album: [asc(tracks.discNumber), asc(tracks.trackNumber), asc(tracks.title), asc(tracks.id)],
};

/**
 * Tracks joined with their artist, album and genre, filtered, sorted and paged. The page of
 * ids is chosen on `tracks` alone (walking its indexes), and only those rows are joined, so a
 * deep offset does not join every skipped row.
 */
export async function listTrackViews(
  db: Executor,
  filter: TrackFilter,
  sort: TrackSort,
  page: PageQuery,
): Promise<TrackView[]> {
  const where = and(
    filter.id ? eq(tracks.id, filter.id) : undefined,
    filter.ids ? inArray(tracks.id, filter.ids) : undefined,
    filter.genreId != null ? eq(tracks.genreId, filter.genreId) : undefined,
    filter.genreSlug
      ? eq(
          tracks.genreId,
          sql`(select ${genres.id} from ${genres} where ${genres.slug} = ${filter.genreSlug})`,
        )
      : undefined,
    filter.artistId ? eq(tracks.artistId, filter.artistId) : undefined,
    filter.albumId ? eq(tracks.albumId, filter.albumId) : undefined,
    filter.year != null ? eq(tracks.year, filter.year) : undefined,
  );
  const ids = db
    .select({ pageId: sql<string>`${tracks.id}`.as("page_id") })
    .from(tracks)
    .where(where)
    .orderBy(...orderings[sort])
    .limit(page.limit)
    .offset(page.offset)
    .as("page");
  const rows = await selectTracks(db)
    .innerJoin(ids, eq(ids.pageId, tracks.id))
    .orderBy(...orderings[sort]);
  return rows.map(toTrackView);
}

function selectTracks(db: Executor) {
  return db
    .select(columns)
    .from(tracks)
    .innerJoin(artists, eq(artists.id, tracks.artistId))
    .leftJoin(albums, eq(albums.id, tracks.albumId))
    .leftJoin(genres, eq(genres.id, tracks.genreId))
    .$dynamic();
}
