import { bigint, integer, pgTable, timestamp, uuid, varchar } from "drizzle-orm/pg-core";
import { users } from "../user/user.sql";

/**
 * The one play queue each user has, shared by the web player and the Subsonic apps: the
 * tracks in order, which one is current and how far into it, and which client saved it.
 */
export const playQueues = pgTable("play_queues", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  trackIds: uuid("track_ids").array().notNull(),
  currentIndex: integer("current_index"),
  positionMs: bigint("position_ms", { mode: "number" }).notNull().default(0),
  changedBy: varchar("changed_by", { length: 100 }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
