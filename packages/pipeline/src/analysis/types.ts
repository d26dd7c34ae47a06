/** What the transform step learns from one audio file. Pure data: JSON-serialisable but for `cover`. */
export interface TrackTags {
  title: string | null;
  artist: string | null;
  albumArtist: string | null;
  /** Marked as a compilation (iTunes `cpil`, ID3 `TCMP`, Vorbis `COMPILATION`). */
  compilation?: boolean;
  album: string | null;
  /** Raw genre strings from the tags, as found. */
  genres: string[];
  year: number | null;
  trackNumber: number | null;
  discNumber: number | null;
  /** Lyrics tags (USLT/SYLT, LYRICS/UNSYNCEDLYRICS, ©lyr); absent or empty when none. */
  lyrics?: TrackLyrics[];
}

/** One lyrics tag (the same shape as core's track/lyrics.ts, where it is kept). */
export interface TrackLyrics {
  /** ISO 639 language from the tag, else "xxx". */
  lang: string;
  /** Every line has `start` in milliseconds. */
  synced: boolean;
  description?: string;
  lines: { start?: number; value: string }[];
}

export interface AudioFormat {
  /** Container as detected from the bytes, e.g. "MPEG", "FLAC", "Ogg", "WAVE", "MPEG-4". */
  container: string;
  codec: string | null;
  durationMs: number;
  bitrate: number | null;
  sampleRate: number | null;
  channels: number | null;
  lossless: boolean;
}

import type { TimbreFeatures } from "./timbre";

export interface AudioFeatures {
  /** Beats per minute, or null when no steady beat was found. */
  tempo: number | null;
  /** Share of the analysis window's 8 s stretches that agree on the tempo, 0–1 (null without tempo). */
  tempoConfidence?: number | null;
  /** Why there is no tempo, in words (null when there is one). */
  tempoReason?: string | null;
  /** 0–1: 0.65 × level (mean power) + 0.35 × activity (onset density), see docs/analysis.md. */
  energy: number;
  /** Onsets (attacks) per second in the analysis window. */
  onsetDensity?: number;
  /** 0–1, an estimate of musical positiveness from mode, tempo and brightness. */
  valence: number;
  /** Integrated loudness in LUFS per ITU-R BS.1770-4 / EBU R128 (−100 for digital silence). */
  loudness: number;
  /** True peak in dBTP (4× oversampled), null for digital silence. */
  truePeakDb?: number | null;
  /** ReplayGain 2.0 track gain: dB to reach −18 LUFS (null for silence). */
  trackGainDb?: number | null;
  /** True when the whole file is (near) silence. */
  silent: boolean;
  /** Share of analysis frames below the silence threshold, 0–1. */
  silenceRatio: number;
  /**
   * Timbre and harmony descriptors of the analysis window (MFCC, spectral shape, contrast,
   * chroma / tonal centroid statistics; see timbre.ts) for the genre model. Absent for
   * silence and in features stored before they existed.
   */
  timbre?: TimbreFeatures | null;
}

export interface CoverArt {
  mime: string;
  data: Uint8Array;
}

export interface TrackAnalysis {
  tags: TrackTags;
  format: AudioFormat;
  /** null when analysis was skipped (tags-only ingest). */
  features: AudioFeatures | null;
  cover: CoverArt | null;
  /** Non-fatal findings in words, e.g. "the file is silent", "no tags: title taken from the file name". */
  warnings: string[];
}

/** A file that cannot be ingested, with the reason in words a user understands. */
export class UnreadableAudioError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "UnreadableAudioError";
  }
}
