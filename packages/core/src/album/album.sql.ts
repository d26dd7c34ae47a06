import {
  date,
  index,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { artists } from "../artist/artist.sql";

export const albums = pgTable(
  "albums",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    artistId: uuid("artist_id")
      .notNull()
      .references(() => artists.id, { onDelete: "cascade" }),
    title: varchar("title", { length: 300 }).notNull(),
    /** Normalised title: one album per artist and title, whatever the case or spacing. */
    titleKey: varchar("title_key", { length: 300 }).notNull(),
    releaseDate: date("release_date"),
    coverImageUrl: text("cover_image_url"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("albums_artist_title_key").on(t.artistId, t.titleKey),
    index("albums_release_date_idx").on(t.releaseDate),
    // Newest albums (Subsonic getAlbumList2 type=newest): a page without sorting every album.
    index("albums_created_at_idx").on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);
