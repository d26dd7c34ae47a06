CREATE TABLE "genre_models" (
	"version" varchar(64) PRIMARY KEY NOT NULL,
	"params" jsonb NOT NULL,
	"examples" integer NOT NULL,
	"catalog_examples" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
