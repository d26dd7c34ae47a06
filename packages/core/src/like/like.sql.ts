import { index, pgTable, primaryKey, timestamp, uuid } from "drizzle-orm/pg-core";
import { albums } from "../album/album.sql";
import { artists } from "../artist/artist.sql";
import { tracks } from "../track/track.sql";
import { users } from "../user/user.sql";

/** A user's liked ("starred") tracks: one row per (user, track). */
export const trackLikes = pgTable(
  "track_likes",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    trackId: uuid("track_id")
      .notNull()
      .references(() => tracks.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.trackId] }),
    index("track_likes_user_created_idx").on(t.userId, t.createdAt.desc()),
    index("track_likes_track_idx").on(t.trackId),
  ],
);

export const albumLikes = pgTable(
  "album_likes",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    albumId: uuid("album_id")
      .notNull()
      .references(() => albums.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.albumId] }),
    index("album_likes_user_created_idx").on(t.userId, t.createdAt.desc()),
  ],
);

export const artistLikes = pgTable(
  "artist_likes",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    artistId: uuid("artist_id")
      .notNull()
      .references(() => artists.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.artistId] }),
    index("artist_likes_user_created_idx").on(t.userId, t.createdAt.desc()),
  ],
);
