import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
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
export function createS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({
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
export function createS3ObjectStore(
  options: S3StoreOptions,
): ObjectStore & { readonly s3: S3Client } {
  const s3 = options.s3 ?? createS3Client(options.client);
  const names = options.buckets;
  for (const b of BUCKETS) if (!names[b]) throw new Error(`S3 bucket for "${b}" is not set`);
  const pageSize = options.listPageSize ?? 1000;
  const name = (bucket: Bucket) => names[bucket];

  return {
    kind: "s3",
    s3,
    bucketNames: names,

    async presignUpload(bucket, key, policy): Promise<PresignedUpload> {
      assertSafeKey(key);
      assertUploadPolicy(policy);
      const expiresAt = new Date(Date.now() + policy.expiresInSeconds * 1000);
      const post = await createPresignedPost(s3, {
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
      const command = new GetObjectCommand({
        Bucket: name(bucket),
        Key: key,
        ...(contentType ? { ResponseContentType: contentType } : {}),
        ...(filename ? { ResponseContentDisposition: contentDisposition(filename) } : {}),
      });
      return getSignedUrl(s3, command, { expiresIn: expiresInSeconds });
    },

    async put(bucket, key, body, contentType) {
      assertSafeKey(key);
      await s3.send(
        new PutObjectCommand({
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
      try {
        const res = await s3.send(new GetObjectCommand({ Bucket: name(bucket), Key: key }));
        if (!res.Body) return new Uint8Array();
        return await res.Body.transformToByteArray();
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFoundError(bucket, key);
        throw error;
      }
    },

    async head(bucket, key) {
      assertSafeKey(key);
      try {
        const res = await s3.send(new HeadObjectCommand({ Bucket: name(bucket), Key: key }));
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
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
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
      await s3.send(new DeleteObjectCommand({ Bucket: name(bucket), Key: key }));
    },

    async ping() {
      await s3.send(new HeadBucketCommand({ Bucket: name("tracks") }));
    },
  };
}

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException)
    return (
      error.name === "NotFound" ||
      error.name === "NoSuchKey" ||
      error.$metadata.httpStatusCode === 404
    );
  return false;
}

const unquote = (etag: string | undefined) => (etag ? etag.replace(/^"|"$/g, "") : null);
