import {
  boolean,
  index,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { users } from "../user/user.sql";
import type { SmartRules } from "./rules";

/** A playlist defined by rules, evaluated live against the catalog on every read. */
export const smartPlaylists = pgTable(
  "smart_playlists",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: varchar("title", { length: 200 }).notNull(),
    description: text("description"),
    isPublic: boolean("is_public").notNull().default(false),
    rules: jsonb("rules").$type<SmartRules>().notNull(),
    sort: varchar("sort", { length: 32 }).notNull().default("popularity"),
    trackLimit: smallint("track_limit").notNull().default(100),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("smart_playlists_user_idx").on(t.userId, t.createdAt.desc())],
);
