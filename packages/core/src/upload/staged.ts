import type { TrackLyrics } from "../track/lyrics-format";

/**
 * What the Transform step reads from an uploaded file and leaves on the upload
 * (`staging.track_uploads.staged`) for Load. Plain JSON; the pipeline's analysis types
 * have the same shapes.
 */
export interface StagedTrack {
  title: string;
  /** The track's artist (tag `artist`, else `albumartist`). */
  artistName: string | null;
  /** The album's artist (tag `albumartist`; "Various Artists" for compilations). */
  albumArtistName?: string | null;
  albumTitle: string | null;
  tags: {
    title: string | null;
    artist: string | null;
    albumArtist: string | null;
    album: string | null;
    genres: string[];
    year: number | null;
    trackNumber: number | null;
    discNumber: number | null;
    /** Tagged as part of a compilation (iTunes `cpil`, Vorbis COMPILATION=1). */
    compilation?: boolean;
    /** Lyrics tags as read (track/lyrics.ts); absent or empty when the file had none. */
    lyrics?: TrackLyrics[];
  };
  format: {
    container: string;
    codec: string | null;
    durationMs: number;
    bitrate: number | null;
    sampleRate: number | null;
    channels: number | null;
    lossless: boolean;
  };
  features: {
    tempo: number | null;
    tempoConfidence?: number | null;
    tempoReason?: string | null;
    energy: number;
    valence: number;
    loudness: number;
    truePeakDb?: number | null;
    trackGainDb?: number | null;
    onsetDensity?: number | null;
    silent: boolean;
    silenceRatio: number;
    /** Timbre/harmony descriptors (the pipeline's TimbreFeatures), stored as they are. */
    timbre?: object | null;
  } | null;
  genre: {
    slug: string;
    source: "tag" | "predicted";
    confidence: number | null;
    /** The genre model's version, for a predicted genre. */
    modelVersion?: string | null;
  } | null;
  /** The genre model looked and abstained: its version and why (no genre is set). */
  genreAbstain?: { modelVersion: string; reason: string } | null;
  /** Object keys in the covers bucket, by size. */
  thumbnails: { 64?: string; 300?: string };
  /** Key of the verified audio in the tracks bucket: the track plays this copy, never the upload target. */
  audioKey?: string;
}
