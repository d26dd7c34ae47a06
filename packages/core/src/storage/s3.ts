// Types only: the SDK is imported on first use (see `sdk()` below). A static import here is hoisted
// to the top of every Lambda bundle (esbuild lifts a lazily imported module's external imports),
// which loaded the S3 client and presigners at each cold start (~135 ms in bench:lambda).
import type * as ClientS3 from "@aws-sdk/client-s3";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import type { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import type { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import {
  assertSafeKey,
  assertUploadPolicy,
  BUCKETS,
  ObjectNotFoundError,
  type Bucket,
  type ObjectInfo,
  type ObjectStore,
  type PresignedUpload,
} from "./object-store";
import { contentDisposition } from "./content-disposition";

export interface S3StoreOptions {
  /** The real bucket behind each logical one. */
  buckets: Readonly<Record<Bucket, string>>;
  /** A ready client; otherwise one is built from `client` options. */
  s3?: S3Client;
  /** Options for the client built here: region, endpoint, forcePathStyle, credentials. */
  client?: S3ClientConfig;
  /** Keys per ListObjectsV2 page (S3's maximum and default is 1000). */
  listPageSize?: number;
}

/**
 * The S3 adapter. Checksums only WHEN_REQUIRED: otherwise presigned PUT URLs carry the
 * empty-body checksum and S3 rejects the upload (aws-sdk-js-v3 #6994), and S3-compatible
 * test servers store aws-chunked bodies verbatim.
 */
interface S3Sdk {
  client: typeof ClientS3;
  createPresignedPost: typeof createPresignedPost;
  getSignedUrl: typeof getSignedUrl;
}

let sdkPromise: Promise<S3Sdk> | undefined;
/** The three SDK packages, loaded once, on the first S3 call of the process. */
const sdk = (): Promise<S3Sdk> =>
  (sdkPromise ??= Promise.all([
    import("@aws-sdk/client-s3"),
    import("@aws-sdk/s3-presigned-post"),
    import("@aws-sdk/s3-request-presigner"),
  ]).then(([client, post, presigner]) => ({
    client,
    createPresignedPost: post.createPresignedPost,
    getSignedUrl: presigner.getSignedUrl,
  })));

export async function createS3Client(config: S3ClientConfig = {}): Promise<S3Client> {
  const { client } = await sdk();
  return new client.S3Client({
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...config,
  });
}

/**
 * Object store over S3. Uploads are presigned POSTs whose policy pins the key, the content
 * type and a content-length-range, so S3 itself enforces the size cap; downloads are
 * presigned GETs (S3 serves Range requests). Object-created events come from S3 through
 * EventBridge, not from this adapter.
 */
export function createS3ObjectStore(options: S3StoreOptions): ObjectStore {
  let clientPromise: Promise<S3Client> | undefined;
  const s3 = () =>
    (clientPromise ??= options.s3 ? Promise.resolve(options.s3) : createS3Client(options.client));
  /** The SDK's classes and this store's client, once both are loaded. */
  const ready = async () => {
    const [lib, c] = await Promise.all([sdk(), s3()]);
    return { S: lib.client, c };
  };
  const names = options.buckets;
  for (const b of BUCKETS) if (!names[b]) throw new Error(`S3 bucket for "${b}" is not set`);
  const pageSize = options.listPageSize ?? 1000;
  const name = (bucket: Bucket) => names[bucket];

  return {
    kind: "s3",
    bucketNames: names,

    async presignUpload(bucket, key, policy): Promise<PresignedUpload> {
      assertSafeKey(key);
      assertUploadPolicy(policy);
      const expiresAt = new Date(Date.now() + policy.expiresInSeconds * 1000);
      const [{ createPresignedPost }, client] = await Promise.all([sdk(), s3()]);
      const post = await createPresignedPost(client, {
        Bucket: name(bucket),
        Key: key,
        Fields: { "Content-Type": policy.contentType },
        Conditions: [
          ["content-length-range", 1, policy.maxBytes],
          ["starts-with", "$Content-Type", policy.contentTypePrefix],
          ["eq", "$Content-Type", policy.contentType],
        ],
        Expires: policy.expiresInSeconds,
      });
      return {
        method: "POST",
        url: post.url,
        fields: post.fields,
        fileField: "file",
        expiresAt: expiresAt.toISOString(),
        maxBytes: policy.maxBytes,
      };
    },

    async presignDownload(bucket, key, { expiresInSeconds, contentType, filename }) {
      assertSafeKey(key);
      const [{ client: sdkClient, getSignedUrl }, client] = await Promise.all([sdk(), s3()]);
      const command = new sdkClient.GetObjectCommand({
        Bucket: name(bucket),
        Key: key,
        ...(contentType ? { ResponseContentType: contentType } : {}),
        ...(filename ? { ResponseContentDisposition: contentDisposition(filename) } : {}),
      });
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds });
    },

    async put(bucket, key, body, contentType) {
      assertSafeKey(key);
      const { S, c } = await ready();
      await c.send(
        new S.PutObjectCommand({
          Bucket: name(bucket),
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.byteLength,
        }),
      );
    },

    async get(bucket, key) {
      assertSafeKey(key);
      const { S, c } = await ready();
      try {
        const res = await c.send(new S.GetObjectCommand({ Bucket: name(bucket), Key: key }));
        if (!res.Body) return new Uint8Array();
        return await res.Body.transformToByteArray();
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFoundError(bucket, key);
        throw error;
      }
    },

    async head(bucket, key) {
      assertSafeKey(key);
      const { S, c } = await ready();
      try {
        const res = await c.send(new S.HeadObjectCommand({ Bucket: name(bucket), Key: key }));
        return {
          key,
          size: res.ContentLength ?? 0,
          etag: unquote(res.ETag),
          contentType: res.ContentType ?? null,
          lastModified: res.LastModified ?? null,
        };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },

    async *list(bucket, prefix): AsyncIterable<ObjectInfo> {
      const { S, c } = await ready();
      let token: string | undefined;
      do {
        const page = await c.send(
          new S.ListObjectsV2Command({
            Bucket: name(bucket),
            MaxKeys: pageSize,
            ...(prefix ? { Prefix: prefix } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          yield {
            key: o.Key,
            size: o.Size ?? 0,
            etag: unquote(o.ETag),
            contentType: null,
            lastModified: o.LastModified ?? null,
          };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async delete(bucket, key) {
      assertSafeKey(key);
      const { S, c } = await ready();
      await c.send(new S.DeleteObjectCommand({ Bucket: name(bucket), Key: key }));
    },

    async ping() {
      const { S, c } = await ready();
      await c.send(new S.HeadBucketCommand({ Bucket: name("tracks") }));
    },
  };
}

/** An S3ServiceException saying the object is not there (by shape: the class loads lazily). */
function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined) return false;
  return error.name === "NotFound" || error.name === "NoSuchKey" || status === 404;
}

const unquote = (etag: string | undefined) => (etag ? etag.replace(/^"|"$/g, "") : null);
