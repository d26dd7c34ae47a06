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
  /** Failed logins allowed per account and IP in 15 minutes before 429. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
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
  AWS_REGION: z.string().min(1).default("us-east-1"),
  /** Base URL browsers reach the local server at, for signed upload/download links. Default http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  /** SNS topic for monitoring alerts (AWS); when absent alerts are logged. */
  ALERTS_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/, "must be an SNS topic ARN")
    .optional(),
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
