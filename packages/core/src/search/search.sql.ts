import { sql } from "drizzle-orm";
import {
  bigint,
  customType,
  index,
  integer,
  jsonb,
  pgSequence,
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
    /**
     * The load's version (`search_document_version`): a write of an older load is refused, so
     * two processes delivering the same document at once cannot leave the older one (0: a
     * document written before versions, or by an unversioned write).
     */
    version: bigint("version", { mode: "number" }).notNull().default(0),
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

/**
 * Versions of search documents: each load of documents from the catalog takes the next value
 * while it holds the documents' advisory locks (search/versions.ts), so a later load — which saw
 * every commit an earlier one saw — always carries a higher version. It starts far above the
 * small internal versions OpenSearch gave documents written before external versions.
 */
export const searchDocumentVersion = pgSequence("search_document_version", {
  startWith: 1_000_000_000_000,
});

/**
 * The embedded adapter's removals, with the version of the load that found the document gone:
 * an older load's write arriving later is refused, as OpenSearch's versioned delete does.
 * Pruned after an hour (OpenSearch forgets a removal after `index.gc_deletes`, 60 s).
 */
export const searchTombstones = pgTable(
  "search_tombstones",
  {
    kind: varchar("kind", { length: 16 }).notNull(),
    id: uuid("id").notNull(),
    version: bigint("version", { mode: "number" }).notNull(),
    removedAt: timestamp("removed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.id] })],
);
