import type { AudioFeatures, AudioFormat, TrackTags } from "../analysis/types";

/** What transform leaves in staging.track_uploads.metadata for load to read. */
export interface StagedTrack {
  title: string;
  artistName: string | null;
  albumTitle: string | null;
  tags: TrackTags;
  format: AudioFormat;
  features: AudioFeatures | null;
  genre: { slug: string; source: "tag" | "predicted"; confidence: number | null } | null;
  /** Object keys in the covers bucket, by size. */
  thumbnails: { 64?: string; 300?: string };
  warnings: string[];
}
