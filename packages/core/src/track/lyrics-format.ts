/* The lyrics value kept on a track, apart from the queries in lyrics.ts so that the tracks
 * table (track.sql.ts) and the staged upload can name its type without an import cycle. */

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
