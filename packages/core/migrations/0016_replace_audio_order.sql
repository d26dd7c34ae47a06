ALTER TABLE "staging"."track_uploads" ADD COLUMN "replaces_file_path" text;--> statement-breakpoint
ALTER TABLE "staging"."track_uploads" ADD COLUMN "old_audio_delete_after" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "track_uploads_old_audio_idx" ON "staging"."track_uploads" USING btree ("old_audio_delete_after") WHERE old_audio_delete_after is not null;