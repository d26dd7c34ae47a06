import { ConfigError, configSchema, type Config } from "./config";

/*
 * One configuration schema per wiring (create-t3-app's `createEnv` style): the shared schema of
 * config.ts, with what that wiring cannot run without made required. A missing variable fails
 * at start (or a Lambda's cold start) naming the variable and the wiring, once, here — entry
 * points do not re-check by hand, and the parsed type says the value is there.
 */

/** Config in which the wiring's required variables are known to be set. */
export type WiringConfig<K extends keyof Config> = Config & { [P in K]-?: NonNullable<Config[P]> };

export interface WiringEnv<K extends keyof Config> {
  readonly wiring: string;
  readonly required: readonly K[];
  /** Parses the environment; throws a ConfigError naming every bad or missing variable. */
  parse(env?: Record<string, string | undefined>): WiringConfig<K>;
}

export function createEnv<const K extends keyof Config>(
  wiring: string,
  required: readonly K[],
): WiringEnv<K> {
  return {
    wiring,
    required,
    parse(env = process.env) {
      // Empty strings count as unset, as in most .env tooling.
      const cleaned = Object.fromEntries(
        Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
      );
      const issues: string[] = [];
      for (const key of required)
        if (cleaned[key] === undefined) issues.push(`${key}: required in the ${wiring} wiring`);
      const parsed = configSchema.safeParse(cleaned);
      if (!parsed.success)
        issues.push(
          ...parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
        );
      if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);
      return parsed.data as WiringConfig<K>;
    },
  };
}

const S3_BUCKETS = [
  "S3_BUCKET_TRACKS",
  "S3_BUCKET_COVERS",
  "S3_BUCKET_PLAYLISTS",
  "S3_BUCKET_TEMP",
] as const;

/** `npm start`: everything embedded (PGlite, memory, disk, chDB); a server URL switches one adapter. */
export const localEnv = createEnv("local", []);

/**
 * `npm run dev:containers` (localstack/containers.env): every server adapter, LocalStack for AWS.
 * Selected by JONQUILS_WIRING=containers.
 */
export const containersEnv = createEnv("containers", [
  "DATABASE_URL",
  "REDIS_URL",
  "CLICKHOUSE_URL",
  "OPENSEARCH_URL",
  "S3_ENDPOINT",
  ...S3_BUCKETS,
  "ANALYTICS_QUEUE_URL",
]);

/** One schema per Lambda (functions/): what each function's code path needs. */
export const lambdaEnv = {
  api: createEnv("api Lambda", ["DATABASE_URL", "JWT_SECRET", ...S3_BUCKETS]),
  monitoring: createEnv("monitoring Lambda", ["DATABASE_URL", "JWT_SECRET", ...S3_BUCKETS]),
  "analytics-refresh": createEnv("analytics-refresh Lambda", [
    "DATABASE_URL",
    "JWT_SECRET",
    ...S3_BUCKETS,
    "CLICKHOUSE_URL",
  ]),
  "analytics-consumer": createEnv("analytics-consumer Lambda", ["CLICKHOUSE_URL"]),
  migrate: createEnv("migrate Lambda", ["DATABASE_URL"]),
  /** ClickHouse is optional here: without it the Script reports analytics off, never failing a deploy. */
  "migrate-analytics": createEnv("migrate-analytics Lambda", []),
  pipeline: createEnv("pipeline Lambdas", ["DATABASE_URL", ...S3_BUCKETS]),
  /** The recovery sweep: the database, the tracks bucket and the state machine it re-drives. */
  "pipeline-recover": createEnv("pipeline-recover Lambda", [
    "DATABASE_URL",
    ...S3_BUCKETS,
    "INGEST_STATE_MACHINE_ARN",
  ]),
} as const;

/** The local process's schema: containers when JONQUILS_WIRING=containers, else local. */
export function processEnv(env: Record<string, string | undefined> = process.env) {
  return env["JONQUILS_WIRING"] === "containers" ? containersEnv : localEnv;
}
