CREATE TABLE "album_ratings" (
	"user_id" uuid NOT NULL,
	"album_id" uuid NOT NULL,
	"rating" smallint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "album_ratings_user_id_album_id_pk" PRIMARY KEY("user_id","album_id"),
	CONSTRAINT "album_ratings_range" CHECK ("album_ratings"."rating" between 1 and 5)
);
--> statement-breakpoint
ALTER TABLE "tracks" ADD COLUMN "lyrics" jsonb;--> statement-breakpoint
ALTER TABLE "album_ratings" ADD CONSTRAINT "album_ratings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "album_ratings" ADD CONSTRAINT "album_ratings_album_id_albums_id_fk" FOREIGN KEY ("album_id") REFERENCES "public"."albums"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "album_ratings_album_idx" ON "album_ratings" USING btree ("album_id");