CREATE SCHEMA "monitoring";
--> statement-breakpoint
CREATE TYPE "monitoring"."alert_severity" AS ENUM('info', 'warning', 'critical');--> statement-breakpoint
CREATE TYPE "monitoring"."alert_status" AS ENUM('open', 'resolved');--> statement-breakpoint
CREATE TYPE "monitoring"."run_status" AS ENUM('ok', 'alerting', 'failed');--> statement-breakpoint
CREATE TABLE "monitoring"."alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" varchar(160) NOT NULL,
	"category" varchar(32) NOT NULL,
	"severity" "monitoring"."alert_severity" NOT NULL,
	"status" "monitoring"."alert_status" DEFAULT 'open' NOT NULL,
	"title" text NOT NULL,
	"detail" jsonb NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"last_run_id" uuid
);
--> statement-breakpoint
CREATE TABLE "monitoring"."runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"status" "monitoring"."run_status" NOT NULL,
	"trigger" varchar(32) NOT NULL,
	"report" jsonb NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_key_idx" ON "monitoring"."alerts" USING btree ("key") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "alerts_status_idx" ON "monitoring"."alerts" USING btree ("status","last_seen_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "monitoring_runs_started_idx" ON "monitoring"."runs" USING btree ("started_at" DESC NULLS LAST);