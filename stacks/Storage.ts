import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { use, type StackContext } from "sst/constructs";
import { readSettings } from "./settings";
import { Web } from "./Web";

/** The four buckets of the object store port (names passed to functions as S3_BUCKET_*). */
export const BUCKETS = ["tracks", "covers", "playlists", "temp"] as const;
export type BucketName = (typeof BUCKETS)[number];

/**
 * Object storage: encrypted, never public, TLS only, CORS for the browser's direct
 * (presigned POST) uploads from the web origin, S3 events to EventBridge (the pipeline's
 * trigger), incomplete multipart uploads aborted after a day, `temp` emptied after a day.
 */
export function Storage({ stack }: StackContext) {
  const web = use(Web);
  // JONQUILS_PROTECT (stacks/settings.ts), never the stage's name.
  const protect = readSettings().protect;
  const make = (name: BucketName, lifecycleRules: s3.LifecycleRule[]) =>
    new s3.Bucket(stack, name, {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      eventBridgeEnabled: true,
      versioned: false,
      cors: [
        {
          allowedOrigins: [web.url],
          allowedMethods: [
            s3.HttpMethods.POST,
            s3.HttpMethods.PUT,
            s3.HttpMethods.GET,
            s3.HttpMethods.HEAD,
          ],
          allowedHeaders: ["*"],
          exposedHeaders: ["ETag", "Content-Length", "Content-Range", "Accept-Ranges"],
          maxAge: 3600,
        },
      ],
      lifecycleRules: [
        { id: "abandoned-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...lifecycleRules,
      ],
      // A protected stage keeps its files when the stack is removed; other stages clean up.
      removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !protect,
    });

  const buckets = {
    // Upload targets of refused or abandoned uploads: a `done` upload's target is removed by
    // Aggregate at once, a ticket expires in minutes, and the recovery sweep lists `u/` every run.
    tracks: make("tracks", [
      { id: "stale-upload-targets", prefix: "u/", expiration: Duration.days(7) },
    ]),
    covers: make("covers", []),
    playlists: make("playlists", []),
    temp: make("temp", [{ id: "temp-expiry", expiration: Duration.days(1) }]),
  } satisfies Record<BucketName, s3.Bucket>;

  /** The S3_BUCKET_* variables of packages/core/src/config.ts. */
  const bucketEnv = {
    S3_BUCKET_TRACKS: buckets.tracks.bucketName,
    S3_BUCKET_COVERS: buckets.covers.bucketName,
    S3_BUCKET_PLAYLISTS: buckets.playlists.bucketName,
    S3_BUCKET_TEMP: buckets.temp.bucketName,
  };
  stack.addOutputs(
    Object.fromEntries(BUCKETS.map((name) => [`Bucket_${name}`, buckets[name].bucketName])),
  );
  return { buckets, bucketEnv };
}
