import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  uniqueIndex,
  pgEnum,
  pgTable,
  real,
  smallint,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { albums } from "../album/album.sql";
import { artists } from "../artist/artist.sql";
import { genres } from "../genre/genre.sql";
import type { TrackLyrics } from "./lyrics-format";

export const genreSource = pgEnum("genre_source", ["tag", "predicted", "manual"]);

export const tracks = pgTable(
  "tracks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    artistId: uuid("artist_id")
      .notNull()
      .references(() => artists.id, { onDelete: "cascade" }),
    albumId: uuid("album_id").references(() => albums.id, { onDelete: "set null" }),
    genreId: integer("genre_id").references(() => genres.id, { onDelete: "set null" }),
    genreSource: genreSource("genre_source"),
    genreConfidence: real("genre_confidence"),
    /** Version of the genre model behind a predicted genre (or behind its abstention). */
    genreModelVersion: varchar("genre_model_version", { length: 64 }),
    /** Why the model gave no genre (its best guess was below the confidence threshold). */
    genreAbstainReason: text("genre_abstain_reason"),
    title: varchar("title", { length: 300 }).notNull(),
    trackNumber: smallint("track_number"),
    discNumber: smallint("disc_number"),
    year: smallint("year"),
    durationMs: integer("duration_ms").notNull().default(0),
    /** Object key of the audio file in the tracks bucket; null for metadata-only entries. */
    filePath: text("file_path"),
    fileFormat: varchar("file_format", { length: 16 }),
    fileSizeBytes: bigint("file_size_bytes", { mode: "number" }),
    bitrate: integer("bitrate"),
    sampleRate: integer("sample_rate"),
    channels: smallint("channels"),
    coverUrl: text("cover_url"),
    /** 0–100, refreshed from analytics. */
    popularity: smallint("popularity").notNull().default(0),
    playCount: bigint("play_count", { mode: "number" }).notNull().default(0),
    tempo: real("tempo"),
    /** Share of the file's 8 s stretches that agree on the tempo, 0–1 (null without tempo). */
    tempoConfidence: real("tempo_confidence"),
    /** Why there is no tempo, in words (null when there is one). */
    tempoReason: text("tempo_reason"),
    energy: real("energy"),
    valence: real("valence"),
    /** Integrated loudness, LUFS (ITU-R BS.1770-4). */
    loudness: real("loudness"),
    /** True peak, dBTP (4× oversampled). */
    truePeakDb: real("true_peak_db"),
    /** ReplayGain 2.0 track gain: dB to bring the track to −18 LUFS. */
    trackGainDb: real("track_gain_db"),
    /**
     * Timbre and harmony descriptors from the audio analysis (the pipeline's TimbreFeatures:
     * MFCC, spectral shape, contrast, chroma statistics, with their own `version`), for the
     * genre model to learn from the catalog. Null for tags-only ingest and for tracks
     * analysed before they existed (the model imputes them).
     */
    timbre: jsonb("timbre").$type<object>(),
    /** Lyrics from the file's tags (null: it carried none). Read only by the lyrics endpoints. */
    lyrics: jsonb("lyrics").$type<TrackLyrics[]>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("tracks_popularity_idx").on(t.popularity.desc(), t.id),
    index("tracks_created_at_idx").on(t.createdAt.desc(), t.id),
    index("tracks_title_idx").on(sql`lower(${t.title})`, t.id),
    index("tracks_artist_idx").on(t.artistId, t.createdAt.desc()),
    index("tracks_album_idx").on(t.albumId, t.discNumber, t.trackNumber),
    index("tracks_genre_idx").on(t.genreId, t.popularity.desc()),
    index("tracks_year_idx").on(t.year),
    // One track per stored file: re-running the pipeline on the same object updates it.
    uniqueIndex("tracks_file_path_key").on(t.filePath),
    check("tracks_popularity_range", sql`${t.popularity} between 0 and 100`),
    check("tracks_energy_range", sql`${t.energy} is null or ${t.energy} between 0 and 1`),
    check("tracks_valence_range", sql`${t.valence} is null or ${t.valence} between 0 and 1`),
    check(
      "tracks_tempo_confidence_range",
      sql`${t.tempoConfidence} is null or ${t.tempoConfidence} between 0 and 1`,
    ),
    check("tracks_duration_nonneg", sql`${t.durationMs} >= 0`),
  ],
);
