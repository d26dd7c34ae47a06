import {
  bigint,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  unique,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

export const etl = pgSchema("etl");

export const etlJobStatus = etl.enum("etl_job_status", ["running", "succeeded", "failed"]);
export const registryStatus = etl.enum("registry_status", [
  "claimed",
  "processing",
  "done",
  "failed",
]);

/** One row for every pipeline run. */
export const etlJobs = etl.table(
  "etl_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    jobName: varchar("job_name", { length: 64 }).notNull(),
    status: etlJobStatus("status").notNull().default("running"),
    startTime: timestamp("start_time", { withTimezone: true }).notNull().defaultNow(),
    endTime: timestamp("end_time", { withTimezone: true }),
    executionName: varchar("execution_name", { length: 128 }),
    uploadId: uuid("upload_id"),
    error: text("error"),
    details: jsonb("details").$type<Record<string, unknown>>(),
  },
  (t) => [
    index("etl_jobs_start_idx").on(t.startTime.desc()),
    index("etl_jobs_status_idx").on(t.status),
  ],
);

/** Every object seen in the buckets; the unique key makes claiming idempotent. */
export const s3FileRegistry = etl.table(
  "s3_file_registry",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    bucketName: varchar("bucket_name", { length: 63 }).notNull(),
    filePath: text("file_path").notNull(),
    etag: varchar("etag", { length: 128 }),
    sizeBytes: bigint("size_bytes", { mode: "number" }),
    status: registryStatus("status").notNull().default("claimed"),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    unique("s3_file_registry_object_key").on(t.bucketName, t.filePath),
    index("s3_file_registry_status_idx").on(t.status),
  ],
);

/** Events that could not be delivered to the pipeline (the local twin of the EventBridge DLQ). */
export const deadLetters = etl.table("dead_letters", {
  id: uuid("id").primaryKey().defaultRandom(),
  source: varchar("source", { length: 64 }).notNull(),
  event: jsonb("event").$type<Record<string, unknown>>().notNull(),
  error: text("error").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
