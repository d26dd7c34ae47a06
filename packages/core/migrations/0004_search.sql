-- Search (issue 4): trigram similarity for ranking, levenshtein for typo-tolerant word lookup.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;--> statement-breakpoint
-- Rows from before this migration have no vectors or payload: dropped, `npm run search:reindex`
-- (or the first local start) rebuilds them from the catalog.
DELETE FROM "search_documents";--> statement-breakpoint
CREATE TABLE "search_terms" (
	"term" varchar(64) PRIMARY KEY NOT NULL
);
--> statement-breakpoint
ALTER TABLE "search_documents" ADD COLUMN "title_norm" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "search_documents" ADD COLUMN "search_vector" "tsvector" DEFAULT ''::tsvector NOT NULL;--> statement-breakpoint
ALTER TABLE "search_documents" ADD COLUMN "genre" varchar(64);--> statement-breakpoint
ALTER TABLE "search_documents" ADD COLUMN "year" smallint;--> statement-breakpoint
ALTER TABLE "search_documents" ADD COLUMN "tempo" real;--> statement-breakpoint
ALTER TABLE "search_documents" ADD COLUMN "duration_ms" integer;--> statement-breakpoint
ALTER TABLE "search_documents" ADD COLUMN "created_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "search_documents" ADD COLUMN "payload" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "search_documents_vector_idx" ON "search_documents" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "search_documents_popularity_idx" ON "search_documents" USING btree ("kind","popularity" DESC NULLS LAST);