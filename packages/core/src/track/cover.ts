import { desc, eq } from "drizzle-orm";
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
    .select({ metadata: trackUploads.metadata })
    .from(trackUploads)
    .where(eq(trackUploads.trackId, trackId))
    .orderBy(desc(trackUploads.updatedAt))
    .limit(1);
  const thumbnails = (upload?.metadata as { thumbnails?: Record<string, string> } | null)
    ?.thumbnails;
  const key = thumbnails?.[String(size)];
  if (!key) throw CommonErrors.notFound("cover", trackId);
  return ctx.objects.presignDownload("covers", key, {
    expiresInSeconds: COVER_URL_TTL_SECONDS,
    contentType: "image/webp",
  });
}
