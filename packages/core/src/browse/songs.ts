import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { albums } from "../album/album.sql";
import { artists } from "../artist/artist.sql";
import type { Executor } from "../db/types";
import { genres } from "../genre/genre.sql";
import { tracks } from "../track/track.sql";
import type { TrackView } from "../track/views";
import { nameKey } from "../util/text";

/*
 * Song reads of the Subsonic surface: per-user state (star, rating) joined in one statement,
 * and the few id lists its endpoints walk. The API shapes them; only core touches the tables.
 */

export interface TrackState {
  starred?: Date | undefined;
  userRating?: number | undefined;
  averageRating?: number | undefined;
}

/** The user's star and rating, and the average rating, of each track: one query. */
export async function trackStates(
  db: Executor,
  userId: string,
  ids: string[],
): Promise<Map<string, TrackState>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      id: tracks.id,
      starred: sql<
        Date | string | null
      >`(select l.created_at from track_likes l where l.user_id = ${userId} and l.track_id = ${tracks.id})`,
      rating: sql<
        number | null
      >`(select r.rating from track_ratings r where r.user_id = ${userId} and r.track_id = ${tracks.id})`,
      average: sql<
        number | null
      >`(select avg(r.rating)::real from track_ratings r where r.track_id = ${tracks.id})`,
    })
    .from(tracks)
    .where(inArray(tracks.id, ids));
  return new Map(
    rows.map((r) => [
      r.id,
      {
        starred: r.starred ? new Date(r.starred) : undefined,
        userRating: r.rating === null ? undefined : Number(r.rating),
        averageRating: r.average === null ? undefined : Math.round(Number(r.average) * 100) / 100,
      },
    ]),
  );
}

/**
 * Songs with the user's star and rating in one statement (the catalog row, its artist, album
 * and genre, and the state subqueries), by ids in that order or by album in disc/track order (the Subsonic views shape them).
 */
export async function songRecords(
  db: Executor,
  userId: string,
  filter: { ids: string[] } | { albumId: string },
): Promise<{ view: TrackView; state: TrackState }[]> {
  if ("ids" in filter && filter.ids.length === 0) return [];
  const rows = await db
    .select({
      id: tracks.id,
      title: tracks.title,
      artistId: artists.id,
      artistName: artists.name,
      albumId: albums.id,
      albumTitle: albums.title,
      genreId: genres.id,
      genreName: genres.name,
      genreSlug: genres.slug,
      trackNumber: tracks.trackNumber,
      discNumber: tracks.discNumber,
      year: tracks.year,
      durationMs: tracks.durationMs,
      playCount: tracks.playCount,
      tempo: tracks.tempo,
      fileFormat: tracks.fileFormat,
      createdAt: tracks.createdAt,
      starred: sql<
        Date | string | null
      >`(select l.created_at from track_likes l where l.user_id = ${userId} and l.track_id = ${tracks.id})`,
      rating: sql<
        number | null
      >`(select r.rating from track_ratings r where r.user_id = ${userId} and r.track_id = ${tracks.id})`,
      average: sql<
        number | null
      >`(select avg(r.rating)::real from track_ratings r where r.track_id = ${tracks.id})`,
    })
    .from(tracks)
    .innerJoin(artists, eq(artists.id, tracks.artistId))
    .leftJoin(albums, eq(albums.id, tracks.albumId))
    .leftJoin(genres, eq(genres.id, tracks.genreId))
    .where("ids" in filter ? inArray(tracks.id, filter.ids) : eq(tracks.albumId, filter.albumId))
    .orderBy(asc(tracks.discNumber), asc(tracks.trackNumber), asc(tracks.title), asc(tracks.id))
    .limit("ids" in filter ? filter.ids.length : 1000);
  const out = rows.map((r) => ({
    view: {
      id: r.id,
      title: r.title,
      artist: { id: r.artistId, name: r.artistName },
      album: r.albumId && r.albumTitle ? { id: r.albumId, title: r.albumTitle } : null,
      genre:
        r.genreId !== null && r.genreName && r.genreSlug
          ? { id: r.genreId, name: r.genreName, slug: r.genreSlug }
          : null,
      genreSource: null,
      genreConfidence: null,
      genreModelVersion: null,
      genreAbstainReason: null,
      trackNumber: r.trackNumber,
      discNumber: r.discNumber,
      year: r.year,
      durationMs: r.durationMs,
      popularity: 0,
      playCount: r.playCount,
      tempo: r.tempo,
      tempoConfidence: null,
      tempoReason: null,
      energy: null,
      valence: null,
      loudness: null,
      truePeakDb: null,
      trackGainDb: null,
      fileFormat: r.fileFormat,
      hasAudio: true,
      coverUrl: null,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.createdAt.toISOString(),
    } satisfies TrackView,
    state: {
      starred: r.starred ? new Date(r.starred) : undefined,
      userRating: r.rating === null ? undefined : Number(r.rating),
      averageRating: r.average === null ? undefined : Math.round(Number(r.average) * 100) / 100,
    },
  }));
  if (!("ids" in filter)) return out;
  const byId = new Map(out.map((s) => [s.view.id, s]));
  return filter.ids.flatMap((id) => byId.get(id) ?? []);
}

/** An artist's tracks that are on no album, by title (a Subsonic artist directory's singles). */
export async function singleTrackIds(db: Executor, artistId: string, limit = 500) {
  const rows = await db
    .select({ id: tracks.id })
    .from(tracks)
    .where(and(eq(tracks.artistId, artistId), isNull(tracks.albumId)))
    .orderBy(asc(tracks.title))
    .limit(limit);
  return rows.map((r) => r.id);
}

/** The most popular tracks of the artist with this name (normalised), or [] without one. */
export async function topTrackIdsByArtistName(db: Executor, name: string, count: number) {
  const [artist] = await db
    .select({ id: artists.id })
    .from(artists)
    .where(eq(artists.nameKey, nameKey(name)))
    .limit(1);
  if (!artist) return [];
  const rows = await db
    .select({ id: tracks.id })
    .from(tracks)
    .where(eq(tracks.artistId, artist.id))
    .orderBy(desc(tracks.popularity), desc(tracks.playCount), asc(tracks.id))
    .limit(count);
  return rows.map((r) => r.id);
}

/** The first track (disc/track order) of an album or an artist: whose cover stands for it. */
export async function firstTrackId(
  db: Executor,
  of: { albumId: string } | { artistId: string },
): Promise<string | undefined> {
  const [first] = await db
    .select({ id: tracks.id })
    .from(tracks)
    .where("albumId" in of ? eq(tracks.albumId, of.albumId) : eq(tracks.artistId, of.artistId))
    .orderBy(asc(tracks.discNumber), asc(tracks.trackNumber), asc(tracks.id))
    .limit(1);
  return first?.id;
}

/** An album's most popular tracks: the seeds of "similar to this album". */
export async function albumSeedTrackIds(db: Executor, albumId: string, limit: number) {
  const rows = await db
    .select({ id: tracks.id })
    .from(tracks)
    .where(eq(tracks.albumId, albumId))
    .orderBy(desc(tracks.popularity))
    .limit(limit);
  return rows.map((r) => r.id);
}
