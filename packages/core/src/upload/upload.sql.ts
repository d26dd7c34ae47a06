import { sql } from "drizzle-orm";
import {
  bigint,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { tracks } from "../track/track.sql";
import { users } from "../user/user.sql";
import type { StagedTrack } from "./staged";

export const staging = pgSchema("staging");

export const uploadStatus = staging.enum("upload_status", [
  "pending",
  "processing",
  "done",
  "failed",
]);

export const uploadSource = staging.enum("upload_source", ["direct", "url"]);

/**
 * An artist's upload from request to catalog entry. Written only by the upload lifecycle
 * (`upload/lifecycle.ts`): the ticket (source, expiry), the object accepted for it (etag,
 * real format), what the pipeline staged for Load (`staged`) and the warnings shown to
 * the uploader, each in its own typed column.
 */
export const trackUploads = staging.table(
  "track_uploads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    originalFilename: varchar("original_filename", { length: 255 }).notNull(),
    s3Path: text("s3_path").notNull().unique(),
    contentType: varchar("content_type", { length: 100 }),
    sizeBytes: bigint("size_bytes", { mode: "number" }),
    status: uploadStatus("status").notNull().default("pending"),
    failureReason: text("failure_reason"),
    trackId: uuid("track_id").references(() => tracks.id, { onDelete: "set null" }),
    source: uploadSource("source").notNull().default("direct"),
    sourceUrl: text("source_url"),
    /** When the signed form stops working (direct uploads); a pending ticket past it is failed. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** MD5 etag of the object accepted for this upload: a different object later is a replay. */
    objectEtag: varchar("object_etag", { length: 128 }),
    /** The real format the gate found in the bytes (mp3, ogg, wav …). */
    detectedFormat: varchar("detected_format", { length: 16 }),
    /** What Transform read, for Load (tags, format, features, genre, thumbnails). */
    staged: jsonb("staged").$type<StagedTrack>(),
    /** Non-fatal findings in words, shown to the uploader. */
    warnings: jsonb("warnings").$type<string[]>().notNull().default([]),
    /** Executions started for this upload (re-drives after a crash are bounded). */
    attempts: integer("attempts").notNull().default(0),
    /**
     * A replacement of this track's audio (`upload/replace.ts`): Load gives the track the new
     * file and keeps its id and curated metadata. No foreign key: a track deleted meanwhile
     * fails the replacement with a reason instead of turning it into a new track.
     */
    replacesTrackId: uuid("replaces_track_id"),
    /**
     * The track's audio (`file_path`) when this replacement was requested: Load refuses the
     * replacement when the track's audio changed since (a newer replacement was applied).
     */
    replacesFilePath: text("replaces_file_path"),
    /**
     * After a replacement was applied: its old audio object (`replaces_file_path`) is deleted
     * once this time has passed (stream URLs already handed out stay valid until then), by
     * `purgeReplacedAudio`; null once deleted.
     */
    oldAudioDeleteAfter: timestamp("old_audio_delete_after", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("track_uploads_user_idx").on(t.userId, t.createdAt.desc()),
    index("track_uploads_status_idx").on(t.status),
    index("track_uploads_replaces_idx").on(t.replacesTrackId),
    index("track_uploads_old_audio_idx")
      .on(t.oldAudioDeleteAfter)
      .where(sql`old_audio_delete_after is not null`),
  ],
);
