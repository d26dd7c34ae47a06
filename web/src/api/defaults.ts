import type { Track, Upload } from "./types";

/** Every field of a track a lighter document (a search hit) may leave out, as "unknown". */
export const TRACK_DEFAULTS: Omit<Track, "id" | "title" | "artist"> = {
  album: null,
  genre: null,
  genreSource: null,
  genreConfidence: null,
  genreAbstainReason: null,
  genreModelVersion: null,
  trackNumber: null,
  discNumber: null,
  year: null,
  durationMs: 0,
  popularity: 0,
  playCount: 0,
  tempo: null,
  tempoConfidence: null,
  tempoReason: null,
  energy: null,
  valence: null,
  loudness: null,
  trackGainDb: null,
  truePeakDb: null,
  fileFormat: null,
  hasAudio: true,
  coverUrl: null,
  createdAt: "",
  updatedAt: "",
};

/** A whole track from the fields a caller knows (tests, search hits). */
export const makeTrack = (t: Partial<Track> & Pick<Track, "id" | "title" | "artist">): Track => ({
  ...TRACK_DEFAULTS,
  ...t,
});

export const UPLOAD_DEFAULTS: Omit<Upload, "id" | "filename"> = {
  status: "pending",
  contentType: null,
  sizeBytes: null,
  key: "",
  source: "direct",
  trackId: null,
  replacesTrackId: null,
  failureReason: null,
  warnings: [],
  detectedFormat: null,
  expiresAt: null,
  createdAt: "",
  updatedAt: "",
};
