import { and, asc, desc, eq, isNotNull, sql } from "drizzle-orm";
import { artists } from "../artist/artist.sql";
import type { Executor } from "../db/types";
import { tracks } from "./track.sql";
import type { TrackLyrics } from "./lyrics-format";

export { keptLyrics, MAX_LYRICS_CHARS, MAX_LYRICS_TAGS, type TrackLyrics } from "./lyrics-format";

/** The text of unsynchronised lyrics, lines joined. */
export function lyricsText(l: TrackLyrics): string {
  return l.lines.map((line) => line.value).join("\n");
}

/** A track's lyrics with the names players show; undefined when there is no such track. */
export async function getTrackLyrics(
  db: Executor,
  trackId: string,
): Promise<{ title: string; artist: string; lyrics: TrackLyrics[] } | undefined> {
  const [row] = await db
    .select({ title: tracks.title, artist: artists.name, lyrics: tracks.lyrics })
    .from(tracks)
    .innerJoin(artists, eq(artists.id, tracks.artistId))
    .where(eq(tracks.id, trackId))
    .limit(1);
  return row ? { title: row.title, artist: row.artist, lyrics: row.lyrics ?? [] } : undefined;
}

/**
 * Lyrics by artist and title (the legacy Subsonic `getLyrics`), case-insensitive; the artist
 * may be left out. The most played match that has lyrics.
 */
export async function findLyrics(
  db: Executor,
  query: { artist?: string | undefined; title?: string | undefined },
): Promise<{ title: string; artist: string; lyrics: TrackLyrics[] } | undefined> {
  const title = query.title?.trim();
  if (!title) return undefined;
  const artist = query.artist?.trim();
  const [row] = await db
    .select({ title: tracks.title, artist: artists.name, lyrics: tracks.lyrics })
    .from(tracks)
    .innerJoin(artists, eq(artists.id, tracks.artistId))
    .where(
      and(
        sql`lower(${tracks.title}) = lower(${title})`,
        artist ? sql`lower(${artists.name}) = lower(${artist})` : undefined,
        isNotNull(tracks.lyrics),
      ),
    )
    .orderBy(desc(tracks.playCount), asc(tracks.id))
    .limit(1);
  return row?.lyrics ? { title: row.title, artist: row.artist, lyrics: row.lyrics } : undefined;
}
