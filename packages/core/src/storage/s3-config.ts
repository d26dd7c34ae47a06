import type { Config } from "../config";
import { BUCKETS, type Bucket, type ObjectStore } from "./object-store";
import type { S3StoreOptions } from "./s3";

/*
 * What the S3 adapter needs from configuration, without the AWS SDK: the SDK (~300 ms to
 * import) loads on the first call that needs it, so a Lambda cold start or a local start that
 * never touches S3 does not pay for it.
 */

/** The four S3_BUCKET_* variables: all set → the bucket names; none → null; some → an error naming the rest. */
export function s3BucketsFromConfig(config: Config): Record<Bucket, string> | null {
  const vars = {
    tracks: ["S3_BUCKET_TRACKS", config.S3_BUCKET_TRACKS],
    covers: ["S3_BUCKET_COVERS", config.S3_BUCKET_COVERS],
    playlists: ["S3_BUCKET_PLAYLISTS", config.S3_BUCKET_PLAYLISTS],
    temp: ["S3_BUCKET_TEMP", config.S3_BUCKET_TEMP],
  } as const;
  const missing = Object.values(vars)
    .filter(([, v]) => !v)
    .map(([name]) => name);
  if (missing.length === BUCKETS.length) return null;
  if (missing.length > 0)
    throw new Error(
      `Object storage: set every S3_BUCKET_* variable; missing ${missing.join(", ")}`,
    );
  return Object.fromEntries(BUCKETS.map((b) => [b, vars[b][1]!])) as Record<Bucket, string>;
}

/** The S3 adapter from configuration, or null when no S3_BUCKET_* variable is set. */
export function createS3ObjectStoreFromConfig(config: Config): ObjectStore | null {
  const buckets = s3BucketsFromConfig(config);
  if (!buckets) return null;
  return createLazyS3ObjectStore({
    buckets,
    client: {
      region: config.AWS_REGION,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    },
  });
}

/** The S3 adapter behind a facade that imports it (and the AWS SDK) on first use. */
export function createLazyS3ObjectStore(options: S3StoreOptions): ObjectStore {
  for (const b of BUCKETS)
    if (!options.buckets[b]) throw new Error(`S3 bucket for "${b}" is not set`);
  let loaded: Promise<ObjectStore> | undefined;
  const real = () => (loaded ??= import("./s3").then((m) => m.createS3ObjectStore(options)));
  return {
    kind: "s3",
    bucketNames: options.buckets,
    presignUpload: async (...a) => (await real()).presignUpload(...a),
    presignDownload: async (...a) => (await real()).presignDownload(...a),
    put: async (...a) => (await real()).put(...a),
    get: async (...a) => (await real()).get(...a),
    head: async (...a) => (await real()).head(...a),
    async *list(bucket, prefix) {
      yield* (await real()).list(bucket, prefix);
    },
    delete: async (...a) => (await real()).delete(...a),
    ping: async () => (await real()).ping(),
  };
}
