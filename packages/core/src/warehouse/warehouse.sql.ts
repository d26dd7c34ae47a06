import { bigint, date, integer, pgSchema, primaryKey, uuid } from "drizzle-orm/pg-core";

export const dataWarehouse = pgSchema("data_warehouse");

/** Plays per track per day, rolled up from analytics. */
export const dailyTrackStats = dataWarehouse.table(
  "daily_track_stats",
  {
    day: date("day").notNull(),
    trackId: uuid("track_id").notNull(),
    plays: integer("plays").notNull().default(0),
    uniqueListeners: integer("unique_listeners").notNull().default(0),
    totalPlayMs: bigint("total_play_ms", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.trackId] })],
);

export const dailyArtistStats = dataWarehouse.table(
  "daily_artist_stats",
  {
    day: date("day").notNull(),
    artistId: uuid("artist_id").notNull(),
    plays: integer("plays").notNull().default(0),
    uniqueListeners: integer("unique_listeners").notNull().default(0),
    totalPlayMs: bigint("total_play_ms", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.artistId] })],
);

export const dailyPlatformStats = dataWarehouse.table("daily_platform_stats", {
  day: date("day").primaryKey(),
  activeUsers: integer("active_users").notNull().default(0),
  newUsers: integer("new_users").notNull().default(0),
  plays: integer("plays").notNull().default(0),
  searches: integer("searches").notNull().default(0),
  apiRequests: bigint("api_requests", { mode: "number" }).notNull().default(0),
});
