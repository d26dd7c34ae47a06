ALTER TABLE "staging"."track_uploads" DROP COLUMN "metadata";--> statement-breakpoint
-- No HTTP paths in the database: pipeline-made covers are served from the thumbnails' keys on the upload.
UPDATE "tracks" SET "cover_url" = NULL WHERE "cover_url" LIKE '/api/v1/tracks/%/cover%';--> statement-breakpoint
UPDATE "albums" SET "cover_image_url" = NULL WHERE "cover_image_url" LIKE '/api/v1/tracks/%/cover%';
