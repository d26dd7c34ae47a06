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

/** The text of unsynchronised lyrics, lines joined. */
export function lyricsText(l: TrackLyrics): string {
  return l.lines.map((line) => line.value).join("\n");
}
