CREATE SEQUENCE "public"."search_document_version" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000000000000 CACHE 1;--> statement-breakpoint
CREATE TABLE "search_tombstones" (
	"kind" varchar(16) NOT NULL,
	"id" uuid NOT NULL,
	"version" bigint NOT NULL,
	"removed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "search_tombstones_kind_id_pk" PRIMARY KEY("kind","id")
);
--> statement-breakpoint
ALTER TABLE "search_documents" ADD COLUMN "version" bigint DEFAULT 0 NOT NULL;