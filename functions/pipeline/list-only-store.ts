import type { ObjectStore } from "@jonquils/core/storage/object-store";

/**
 * The object store as the recovery sweep may use it in AWS: its role has s3:ListBucket on
 * the tracks bucket for the `u/` prefix only, and no s3:GetObject. A HEAD of a missing key
 * would then answer 403, not 404 (S3 tells "missing" only to a role that may list the whole
 * bucket), so `head` is answered by listing the key itself as prefix: one ListObjectsV2 call,
 * the same size and ETag, and a missing object is null. Everything else is refused.
 */
export function listOnlyStore(
  store: Pick<ObjectStore, "kind" | "bucketNames" | "list" | "ping">,
): ObjectStore {
  const refuse = (what: string) => () =>
    Promise.reject(new Error(`the recovery sweep does not ${what} objects`));
  return {
    kind: store.kind,
    bucketNames: store.bucketNames,
    list: (bucket, prefix) => store.list(bucket, prefix),
    async head(bucket, key) {
      // Keys come back in order: the key itself sorts before any longer key it prefixes.
      for await (const info of store.list(bucket, key)) return info.key === key ? info : null;
      return null;
    },
    ping: () => store.ping(),
    presignUpload: refuse("sign uploads for"),
    presignDownload: refuse("sign downloads of"),
    put: refuse("write"),
    get: refuse("read"),
    delete: refuse("delete"),
  };
}
