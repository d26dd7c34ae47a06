import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Ctx } from "../context";
import { CommonErrors } from "../errors";
import { trackUploads } from "../upload/upload.sql";

const COVER_URL_TTL_SECONDS = 3600;

/**
 * A signed URL for a track's cover thumbnail (64 or 300 px WebP), made by the pipeline
 * from the art embedded in the uploaded file.
 */
export async function coverUrl(
  ctx: Pick<Ctx, "db" | "objects">,
  trackId: string,
  size: 64 | 300,
): Promise<string> {
  const [upload] = await ctx.db
    .select({ staged: trackUploads.staged })
    .from(trackUploads)
    // The newest upload of the track that has this thumbnail: an audio replacement without art keeps the cover.
    .where(
      and(
        eq(trackUploads.trackId, trackId),
        sql`${trackUploads.staged}->'thumbnails' ? ${String(size)}`,
      ),
    )
    .orderBy(desc(trackUploads.updatedAt))
    .limit(1);
  const key = upload?.staged?.thumbnails[size];
  if (!key) throw CommonErrors.notFound("cover", trackId);
  return ctx.objects.presignDownload("covers", key, {
    expiresInSeconds: COVER_URL_TTL_SECONDS,
    contentType: "image/webp",
  });
}

/**
 * The database keeps no URLs for pipeline-made covers, only the thumbnails' object keys on
 * the upload: these expressions give a track's (or an album's first track's) cover as the
 * API route that redirects to it, or null.
 */
export const trackCoverRoute = (trackId: SQL | string) =>
  sql<
    string | null
  >`(select '/api/v1/tracks/' || u.track_id::text || '/cover?size=300' from staging.track_uploads u where u.track_id = ${trackId} and u.staged->'thumbnails' ? '300' limit 1)`;

export const albumCoverRoute = (albumId: SQL | string) =>
  sql<
    string | null
  >`(select '/api/v1/tracks/' || u.track_id::text || '/cover?size=300' from tracks ct join staging.track_uploads u on u.track_id = ct.id where ct.album_id = ${albumId} and u.staged->'thumbnails' ? '300' order by ct.disc_number nulls last, ct.track_number nulls last, ct.id limit 1)`;
