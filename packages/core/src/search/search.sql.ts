import {
  index,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

/**
 * Search documents written by the pipeline's index step and by catalog writes: the
 * embedded search adapter's store (full text and trigram indexes arrive with issue 4).
 */
export const searchDocuments = pgTable(
  "search_documents",
  {
    kind: varchar("kind", { length: 16 }).notNull(),
    id: uuid("id").notNull(),
    title: text("title").notNull(),
    /** Everything else worth matching: artist, album, genre, year. */
    body: text("body").notNull(),
    popularity: real("popularity").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.id] }), index("search_documents_title_idx").on(t.title)],
);
