import { and, asc, desc, eq, isNotNull, sql } from "drizzle-orm";
import { artists } from "../artist/artist.sql";
import type { Executor } from "../db/types";
import { tracks } from "./track.sql";

/**
 * Lyrics as a file's tags carried them (ID3 USLT/SYLT, Vorbis LYRICS/UNSYNCEDLYRICS, MP4 ©lyr,
 * LRC text in any of those), kept on the track (`tracks.lyrics`) and served to player apps
 * (OpenSubsonic `getLyricsBySongId`, legacy `getLyrics`). Plain JSON.
 */
export interface TrackLyrics {
  /** ISO 639 language from the tag (ID3 USLT/SYLT carry one), else "xxx" (unknown). */
  lang: string;
  /** Every line has `start` (milliseconds from the beginning). */
  synced: boolean;
  /** The tag's content descriptor, when it had one. */
  description?: string;
  lines: { start?: number; value: string }[];
}

/** Per track: at most this many lyrics tags and this many characters in all. */
export const MAX_LYRICS_TAGS = 8;
export const MAX_LYRICS_CHARS = 64_000;

/** The staged lyrics within the stored bounds; null when the file carried none. */
export function keptLyrics(lyrics: TrackLyrics[] | undefined): TrackLyrics[] | null {
  const kept: TrackLyrics[] = [];
  let chars = 0;
  for (const l of (lyrics ?? []).slice(0, MAX_LYRICS_TAGS)) {
    const size = l.lines.reduce((n, line) => n + line.value.length + 1, 0);
    if (chars + size > MAX_LYRICS_CHARS) break;
    chars += size;
    kept.push(l);
  }
  return kept.length > 0 ? kept : null;
}

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
