import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, smallint, timestamp, uuid } from "drizzle-orm/pg-core";
import { albums } from "../album/album.sql";
import { tracks } from "../track/track.sql";
import { users } from "../user/user.sql";

/** A user's 1–5 rating of a track; no row means unrated. */
export const trackRatings = pgTable(
  "track_ratings",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    trackId: uuid("track_id")
      .notNull()
      .references(() => tracks.id, { onDelete: "cascade" }),
    rating: smallint("rating").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.trackId] }),
    index("track_ratings_track_idx").on(t.trackId),
    check("track_ratings_range", sql`${t.rating} between 1 and 5`),
  ],
);

/** A user's 1–5 rating of an album (Subsonic setRating on an album id; REST too). */
export const albumRatings = pgTable(
  "album_ratings",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    albumId: uuid("album_id")
      .notNull()
      .references(() => albums.id, { onDelete: "cascade" }),
    rating: smallint("rating").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.albumId] }),
    index("album_ratings_album_idx").on(t.albumId),
    check("album_ratings_range", sql`${t.rating} between 1 and 5`),
  ],
);
