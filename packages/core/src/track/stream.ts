import { eq } from "drizzle-orm";
import type { Ctx } from "../context";
import { CommonErrors } from "../errors";
import { UploadErrors } from "../upload/errors";
import { tracks } from "./track.sql";

/** Long enough to start playing and seek for a while; the player asks again when it lapses. */
export const STREAM_URL_TTL_SECONDS = 15 * 60;

const CONTENT_TYPES: Record<string, string> = {
  mp3: "audio/mpeg",
  flac: "audio/flac",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  wav: "audio/wav",
  aiff: "audio/aiff",
  m4a: "audio/mp4",
  mp4: "audio/mp4",
  aac: "audio/aac",
};

/**
 * A short-lived URL that serves the track's audio file (the store answers Range requests
 * with 206). 404 track_not_found; 409 no_audio for a metadata-only track.
 */
export async function getStreamUrl(
  ctx: Pick<Ctx, "db" | "objects">,
  trackId: string,
): Promise<{ url: string; expiresAt: string }> {
  const [row] = await ctx.db
    .select({ filePath: tracks.filePath, fileFormat: tracks.fileFormat })
    .from(tracks)
    .where(eq(tracks.id, trackId))
    .limit(1);
  if (!row) throw CommonErrors.notFound("track", trackId);
  if (!row.filePath) throw UploadErrors.noAudio(trackId);
  const contentType = row.fileFormat ? CONTENT_TYPES[row.fileFormat.toLowerCase()] : undefined;
  const expiresAt = new Date(Date.now() + STREAM_URL_TTL_SECONDS * 1000);
  const url = await ctx.objects.presignDownload("tracks", row.filePath, {
    expiresInSeconds: STREAM_URL_TTL_SECONDS,
    ...(contentType ? { contentType } : {}),
  });
  return { url, expiresAt: expiresAt.toISOString() };
}
