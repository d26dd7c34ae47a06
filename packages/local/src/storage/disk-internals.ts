import type { Logger } from "@jonquils/core";
import type { Bucket } from "@jonquils/core/storage/object-store";

/*
 * The disk store's internals that its HTTP routes use, apart from the store so that the
 * store (which mounts the routes) and the routes do not import each other.
 */

/** What the routes need from the store; not part of the port. */
export interface DiskStoreInternals {
  readonly log: Pick<Logger, "error" | "warn"> | undefined;
  now(): number;
  verifyUpload(fields: ReadonlyMap<string, string>): UploadCheck;
  verifyDownload(
    bucket: string,
    key: string,
    query: Record<string, string | undefined>,
  ): DownloadCheck;
  /** A fresh temporary path on the store's file system. */
  tempPath(): Promise<string>;
  /**
   * Moves a finished temporary file into place and announces it. `once`: the key is a
   * signed form's target and may be written only once, ever (UploadTargetUsedError).
   */
  commit(
    bucket: Bucket,
    key: string,
    tempFile: string,
    meta: { contentType: string; etag: string; size: number },
    options?: { once?: boolean },
  ): Promise<void>;
  objectPath(bucket: Bucket, key: string): string;
  readMeta(bucket: Bucket, key: string): Promise<ObjectMeta | null>;
}

export interface ObjectMeta {
  contentType: string;
  etag: string;
  size: number;
  createdAt: string;
}

export type UploadCheck =
  | { ok: true; bucket: Bucket; key: string; contentType: string; maxBytes: number }
  | { ok: false; status: 400 | 403 | 415; code: string; detail: string };

export type DownloadCheck =
  | {
      ok: true;
      bucket: Bucket;
      key: string;
      expires: number;
      contentType?: string;
      filename?: string;
    }
  | { ok: false; status: 403; code: string; detail: string };
