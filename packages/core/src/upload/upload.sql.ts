import {
  bigint,
  index,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { tracks } from "../track/track.sql";
import { users } from "../user/user.sql";

export const staging = pgSchema("staging");

export const uploadStatus = staging.enum("upload_status", [
  "pending",
  "processing",
  "done",
  "failed",
]);

/** An artist's upload from request to catalog entry; what the pipeline read lands in metadata. */
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
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("track_uploads_user_idx").on(t.userId, t.createdAt.desc()),
    index("track_uploads_status_idx").on(t.status),
  ],
);
