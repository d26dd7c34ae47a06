import { sql } from "drizzle-orm";
import {
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * The embedded search adapter's documents (packages/core/src/search/postgres.ts), one row per
 * track, artist, album and public playlist, written by the pipeline's index step and after
 * catalog writes. Text is folded in TypeScript (the same rules as the OpenSearch analyzers) and
 * the tsvector is built from those words, so documents and queries can never fold differently.
 */
export const searchDocuments = pgTable(
  "search_documents",
  {
    kind: varchar("kind", { length: 16 }).notNull(),
    id: uuid("id").notNull(),
    title: text("title").notNull(),
    /** Everything else worth matching: artist, album, genre (tracks), description, owner (playlists). */
    body: text("body").notNull(),
    popularity: real("popularity").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /** The folded words of the title joined by spaces ("Ёлка во дворе" → "елка во дворе"). */
    titleNorm: text("title_norm").notNull().default(""),
    /** Title words at weight A, body words at weight B, with positions. */
    searchVector: tsvector("search_vector")
      .notNull()
      .default(sql`''::tsvector`),
    genre: varchar("genre", { length: 64 }),
    year: smallint("year"),
    tempo: real("tempo"),
    durationMs: integer("duration_ms"),
    createdAt: timestamp("created_at", { withTimezone: true }),
    /** The document as the API returns it. */
    payload: jsonb("payload").notNull().default({}),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.id] }),
    index("search_documents_title_idx").on(t.title),
    index("search_documents_vector_idx").using("gin", t.searchVector),
    index("search_documents_popularity_idx").on(t.kind, t.popularity.desc()),
  ],
);

/**
 * Every folded word ever indexed: typo-tolerant queries look up the words within the edit
 * budget here (fuzzystrmatch), then search documents for those words. Words of deleted
 * documents stay until the next reindex; they only widen a lookup.
 */
export const searchTerms = pgTable("search_terms", {
  term: varchar("term", { length: 64 }).primaryKey(),
});
