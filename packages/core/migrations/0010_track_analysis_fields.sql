ALTER TABLE "tracks" ADD COLUMN "genre_model_version" varchar(64);--> statement-breakpoint
ALTER TABLE "tracks" ADD COLUMN "genre_abstain_reason" text;--> statement-breakpoint
ALTER TABLE "tracks" ADD COLUMN "tempo_confidence" real;--> statement-breakpoint
ALTER TABLE "tracks" ADD COLUMN "tempo_reason" text;--> statement-breakpoint
ALTER TABLE "tracks" ADD COLUMN "true_peak_db" real;--> statement-breakpoint
ALTER TABLE "tracks" ADD COLUMN "track_gain_db" real;--> statement-breakpoint
ALTER TABLE "tracks" ADD CONSTRAINT "tracks_tempo_confidence_range" CHECK ("tracks"."tempo_confidence" is null or "tracks"."tempo_confidence" between 0 and 1);