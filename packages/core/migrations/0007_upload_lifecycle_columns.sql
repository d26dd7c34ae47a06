CREATE TYPE "staging"."upload_source" AS ENUM('direct', 'url');--> statement-breakpoint
ALTER TABLE "staging"."track_uploads" ADD COLUMN "source" "staging"."upload_source" DEFAULT 'direct' NOT NULL;--> statement-breakpoint
ALTER TABLE "staging"."track_uploads" ADD COLUMN "source_url" text;--> statement-breakpoint
ALTER TABLE "staging"."track_uploads" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "staging"."track_uploads" ADD COLUMN "object_etag" varchar(128);--> statement-breakpoint
ALTER TABLE "staging"."track_uploads" ADD COLUMN "detected_format" varchar(16);--> statement-breakpoint
ALTER TABLE "staging"."track_uploads" ADD COLUMN "staged" jsonb;--> statement-breakpoint
ALTER TABLE "staging"."track_uploads" ADD COLUMN "warnings" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "staging"."track_uploads" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Data: the overloaded jsonb metadata split into typed columns (source, URL, staged state, warnings).
-- Processed URL imports lost "source" when Transform overwrote metadata: the audit log still knows them.
UPDATE "staging"."track_uploads" u SET
  "source" = CASE WHEN "metadata"->>'source' = 'url' OR "metadata" ? 'sourceUrl' OR EXISTS (
      SELECT 1 FROM "audit_log" a WHERE a."action" = 'upload.import' AND a."entity_type" = 'upload' AND a."entity_id" = u."id"::text
    ) THEN 'url'::"staging"."upload_source" ELSE 'direct'::"staging"."upload_source" END,
  "source_url" = coalesce("metadata"->>'sourceUrl', (
      SELECT a."details"->>'url' FROM "audit_log" a WHERE a."action" = 'upload.import' AND a."entity_type" = 'upload' AND a."entity_id" = u."id"::text LIMIT 1
    )),
  "staged" = CASE WHEN "metadata" ? 'title' AND "metadata" ? 'format' THEN "metadata" - 'warnings' - 'source' - 'bucket' - 'sourceUrl' ELSE NULL END,
  "warnings" = CASE WHEN jsonb_typeof("metadata"->'warnings') = 'array' THEN "metadata"->'warnings' ELSE '[]'::jsonb END,
  "expires_at" = CASE WHEN "status" = 'pending' THEN "created_at" + interval '15 minutes' ELSE NULL END
WHERE "metadata" IS NOT NULL OR "status" = 'pending';
