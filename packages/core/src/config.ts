import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const csv = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url()));

/** Every environment variable JONQUILS reads. Parsed once at start-up. */
export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** PostgreSQL server; when absent the local wiring uses PGlite under DATA_DIR. */
  DATABASE_URL: z
    .url()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), "must start with postgres:// or postgresql://")
    .optional(),
  /** Redis server for cache and rate limits; when absent both are in memory. */
  REDIS_URL: z
    .url()
    .refine((u) => /^rediss?:\/\//.test(u), "must start with redis:// or rediss://")
    .optional(),
  /** Prefix of every Redis key (cache and rate limits), so stages or test runs can share a server. */
  REDIS_KEY_PREFIX: z.string().min(1).max(64).default("jq:"),
  /** Where the local wiring keeps PGlite's data, the generated secret and other state. */
  DATA_DIR: z.string().min(1).default(".jonquils"),
  /** HMAC key for access tokens (HS256), at least 32 characters. Generated locally when absent. */
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(30),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  /** Interface the local server binds to. */
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(1).max(65535).default(8000),
  WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Origins allowed by CORS, comma separated. */
  CORS_ORIGINS: csv.default(["http://localhost:3000", "http://127.0.0.1:3000"]),
  RATE_LIMIT_ENABLED: bool.default(true),
  /** Requests per minute from one IP address. */
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Requests per minute from one signed-in user. */
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  /** Failed logins allowed per account and IP in 15 minutes before 429 (×4 per account across IPs). */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Accounts that may be created from one IP address per hour (each costs a bcrypt hash). */
  SIGNUP_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(20),
  /** A rotated refresh token presented again within this many seconds (tabs refreshing at once) gets a sibling token instead of revoking the sign-in; 0 turns the grace off. */
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(120).default(30),
  /** Trust X-Forwarded-For from a reverse proxy for the client IP. */
  TRUST_PROXY: bool.default(false),
  /** false: tags-only ingest (no decoding or audio features), for bulk imports in a hurry. */
  INGEST_ANALYSE_AUDIO: bool.default(true),
  /** Load the demo catalog on first local start. */
  SEED_DEMO: bool.default(true),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Object storage. With all four S3_BUCKET_* set the S3 adapter is used (AWS, LocalStack);
   * otherwise the local wiring stores files under DATA_DIR/objects and signs its own URLs.
   */
  S3_BUCKET_TRACKS: z.string().min(3).max(63).optional(),
  S3_BUCKET_COVERS: z.string().min(3).max(63).optional(),
  S3_BUCKET_PLAYLISTS: z.string().min(3).max(63).optional(),
  S3_BUCKET_TEMP: z.string().min(3).max(63).optional(),
  /** An S3-compatible endpoint (LocalStack); unset for AWS. */
  S3_ENDPOINT: z.url().optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  /**
   * Loopback port where the local process receives MinIO's object-created webhook and runs the
   * pipeline in-process (`npm run start:servers`); the webhook's token is DATA_DIR/s3-events.token.
   * Unset: with S3 the cloud (EventBridge → Step Functions) starts the pipeline.
   */
  S3_EVENTS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  AWS_REGION: z.string().min(1).default("us-east-1"),
  /** The ingest state machine the recovery sweep re-drives uploads through (AWS: functions/pipeline/recover.ts). */
  INGEST_STATE_MACHINE_ARN: z
    .string()
    .regex(
      /^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:[\w-]{1,80}$/,
      "must be a Step Functions state machine ARN",
    )
    .optional(),
  /** ClickHouse server (http[s]://host:8123); when absent the local wiring runs chDB under DATA_DIR/chdb. */
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().min(1).optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  /** An existing database on the server; the tables and views are created in it. */
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default("default"),
  /** SQS queue URL for analytics events (AWS); when absent events go straight to the store in-process. */
  ANALYTICS_QUEUE_URL: z.url().optional(),
  /** Longest an analytics event waits in memory before its batch is sent (ms). */
  ANALYTICS_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** Events per insert (or per SQS send). */
  ANALYTICS_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(5000),
  /** Events held in memory at most, waiting or being sent; beyond, they go to the spool directory (local) or the oldest are dropped (no disk). */
  ANALYTICS_BUFFER_MAX: z.coerce.number().int().min(100).max(10_000_000).default(400_000),
  /** How often the local process refreshes track popularity and the data_warehouse aggregates (ms, 0 = never). */
  ANALYTICS_REFRESH_MS: z.coerce.number().int().min(0).default(60_000),
  /** OpenSearch (http[s]://[user:pass@]host:9200) for search; when absent, the embedded index on the catalog database. */
  OPENSEARCH_URL: z
    .url()
    .refine((u) => /^https?:\/\//.test(u), "must start with http:// or https://")
    .optional(),
  /**
   * How requests to OPENSEARCH_URL authenticate: `aws-sigv4` signs them with the AWS credential
   * chain (Amazon OpenSearch with IAM), `none` sends them as they are. Unset: `aws-sigv4` for an
   * Amazon endpoint (`*.<region>.es.amazonaws.com`), `none` otherwise.
   */
  OPENSEARCH_AUTH: z.enum(["none", "aws-sigv4"]).optional(),
  /** Prefix of the OpenSearch aliases and indices (`<prefix>tracks`, …), so stages can share a cluster. */
  OPENSEARCH_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,40}$/, "lower-case letters, digits, '_' and '-'")
    .default("jonquils_"),
  /** Base URL browsers reach the local server at, for signed upload/download links. Default http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  /** SNS topic for monitoring alerts (AWS); when absent alerts are logged. */
  ALERTS_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/, "must be an SNS topic ARN")
    .optional(),
  /** KMS key (id, ARN or alias) that wraps app-password data keys in AWS; unset: a key file under DATA_DIR. */
  APP_PASSWORD_KMS_KEY_ID: z.string().min(1).max(2048).optional(),
  /** Minutes between monitoring runs inside `npm start` (0 turns the schedule off). */
  MONITOR_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(1440).default(15),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  return parsed.data;
}
