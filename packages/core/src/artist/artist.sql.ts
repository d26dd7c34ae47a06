import {
  char,
  index,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { users } from "../user/user.sql";

export const artists = pgTable(
  "artists",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The account that manages this artist; null for artists known only from tags. */
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    name: varchar("name", { length: 200 }).notNull(),
    /** Normalised name (NFKC, case-folded, spacing collapsed): artists that differ only so are one. */
    nameKey: varchar("name_key", { length: 200 }).notNull(),
    bio: text("bio"),
    country: char("country", { length: 2 }),
    imageUrl: text("image_url"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("artists_name_key_key").on(t.nameKey),
    uniqueIndex("artists_user_id_key").on(t.userId),
    index("artists_name_idx").on(t.name),
  ],
);
