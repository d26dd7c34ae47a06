import {
  bigserial,
  index,
  integer,
  pgTable,
  real,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { tracks } from "../track/track.sql";
import { users } from "../user/user.sql";

export const listeningHistory = pgTable(
  "listening_history",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    trackId: uuid("track_id")
      .notNull()
      .references(() => tracks.id, { onDelete: "cascade" }),
    playedAt: timestamp("played_at", { withTimezone: true }).notNull().defaultNow(),
    playDurationMs: integer("play_duration_ms").notNull(),
    completionPercentage: real("completion_percentage").notNull(),
    platform: varchar("platform", { length: 32 }),
    deviceType: varchar("device_type", { length: 32 }),
  },
  (t) => [
    index("listening_history_user_idx").on(t.userId, t.playedAt.desc()),
    index("listening_history_track_idx").on(t.trackId, t.playedAt.desc()),
  ],
);
