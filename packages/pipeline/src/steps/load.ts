import { schema } from "@jonquils/core";
import { recordAudit } from "@jonquils/core/audit/audit";
import { nameKey } from "@jonquils/core/util/text";
import { eq, sql } from "drizzle-orm";
import { NotProcessableError, type JobRef, type PipelineDeps } from "./deps";
import type { StagedTrack } from "./staged";

const UNKNOWN_ARTIST = "Unknown Artist";

/** The URL clients fetch a track's cover from (the API redirects to a signed object URL). */
export const coverPath = (trackId: string, size: 64 | 300 = 300) =>
  `/api/v1/tracks/${trackId}/cover?size=${size}`;

/**
 * Upserts artist, album and track in one transaction. An artist's upload is filed under
 * their own profile whatever its tags say (an artist cannot publish as someone else);
 * an admin's upload is filed under the tagged artist, merged by normalised name.
 * The track is keyed by its file, so loading the same object twice updates one track.
 */
export async function load(deps: PipelineDeps, job: JobRef): Promise<{ trackId: string }> {
  return deps.db.transaction(async (tx) => {
    const [upload] = await tx
      .select({ upload: schema.trackUploads, role: schema.users.role })
      .from(schema.trackUploads)
      .innerJoin(schema.users, eq(schema.users.id, schema.trackUploads.userId))
      .where(eq(schema.trackUploads.id, job.uploadId))
      .limit(1);
    if (!upload?.upload.metadata)
      throw new NotProcessableError("nothing was staged for this upload");
    const staged = upload.upload.metadata as unknown as StagedTrack;
    const warnings = [...staged.warnings];
    const userId = upload.upload.userId;

    let artistId: string;
    const [own] = await tx
      .select({ id: schema.artists.id, name: schema.artists.name })
      .from(schema.artists)
      .where(eq(schema.artists.userId, userId))
      .limit(1);
    if (upload.role === "admin" && staged.artistName) {
      const [row] = await tx
        .insert(schema.artists)
        .values({ name: staged.artistName, nameKey: nameKey(staged.artistName) })
        .onConflictDoUpdate({ target: schema.artists.nameKey, set: { updatedAt: new Date() } })
        .returning({ id: schema.artists.id });
      artistId = row!.id;
    } else if (own) {
      artistId = own.id;
      if (staged.artistName && nameKey(staged.artistName) !== nameKey(own.name)) {
        warnings.push(
          `tagged artist "${staged.artistName}" differs from your profile; filed under "${own.name}"`,
        );
      }
    } else if (upload.role === "admin") {
      // An admin's untagged file (bulk import): filed under "Unknown Artist" to be fixed later.
      const [row] = await tx
        .insert(schema.artists)
        .values({ name: UNKNOWN_ARTIST, nameKey: nameKey(UNKNOWN_ARTIST) })
        .onConflictDoUpdate({ target: schema.artists.nameKey, set: { updatedAt: new Date() } })
        .returning({ id: schema.artists.id });
      artistId = row!.id;
      warnings.push(`the file names no artist; filed under "${UNKNOWN_ARTIST}"`);
    } else {
      throw new NotProcessableError(
        "your account has no artist profile: create one, then upload again",
      );
    }

    let albumId: string | null = null;
    if (staged.albumTitle) {
      const [album] = await tx
        .insert(schema.albums)
        .values({
          artistId,
          title: staged.albumTitle,
          titleKey: nameKey(staged.albumTitle),
          releaseDate: staged.tags.year ? `${staged.tags.year}-01-01` : null,
        })
        .onConflictDoUpdate({
          target: [schema.albums.artistId, schema.albums.titleKey],
          set: { updatedAt: new Date() },
        })
        .returning({ id: schema.albums.id, cover: schema.albums.coverImageUrl });
      albumId = album!.id;
    }

    let genreId: number | null = null;
    if (staged.genre) {
      const [g] = await tx
        .select({ id: schema.genres.id })
        .from(schema.genres)
        .where(eq(schema.genres.slug, staged.genre.slug))
        .limit(1);
      genreId = g?.id ?? null;
    }

    const f = staged.features;
    const values = {
      artistId,
      albumId,
      genreId,
      genreSource: genreId ? staged.genre!.source : null,
      genreConfidence: genreId ? staged.genre!.confidence : null,
      title: staged.title,
      trackNumber: clampSmall(staged.tags.trackNumber, 999),
      discNumber: clampSmall(staged.tags.discNumber, 99),
      year:
        staged.tags.year && staged.tags.year >= 1800 && staged.tags.year <= 2200
          ? staged.tags.year
          : null,
      durationMs: Math.max(0, Math.round(staged.format.durationMs)),
      filePath: job.key,
      fileFormat: formatName(staged.format.container, staged.format.codec),
      fileSizeBytes: upload.upload.sizeBytes,
      bitrate: staged.format.bitrate ? Math.round(staged.format.bitrate) : null,
      sampleRate: staged.format.sampleRate,
      channels: staged.format.channels,
      tempo: f?.tempo ?? null,
      energy: f ? clamp01(f.energy) : null,
      valence: f ? clamp01(f.valence) : null,
      loudness: f ? Math.max(-100, Math.min(10, f.loudness)) : null,
      updatedAt: new Date(),
    };
    const [track] = await tx
      .insert(schema.tracks)
      .values(values)
      .onConflictDoUpdate({ target: schema.tracks.filePath, set: values })
      .returning({ id: schema.tracks.id });
    const trackId = track!.id;
    const hasCover = staged.thumbnails[300] !== undefined;
    if (hasCover) {
      await tx
        .update(schema.tracks)
        .set({ coverUrl: coverPath(trackId) })
        .where(eq(schema.tracks.id, trackId));
      if (albumId) {
        await tx
          .update(schema.albums)
          .set({
            coverImageUrl: sql`coalesce(${schema.albums.coverImageUrl}, ${coverPath(trackId)})`,
          })
          .where(eq(schema.albums.id, albumId));
      }
    }
    await tx
      .update(schema.trackUploads)
      .set({
        trackId,
        metadata: { ...staged, warnings },
        updatedAt: new Date(),
      })
      .where(eq(schema.trackUploads.id, job.uploadId));
    await recordAudit(
      tx,
      { requestId: job.jobId },
      { userId },
      {
        action: "track.ingest",
        entityType: "track",
        entityId: trackId,
        details: { uploadId: job.uploadId, key: job.key },
      },
    );
    return { trackId };
  });
}

const clamp01 = (v: number) => Math.max(0, Math.min(1, v));
const clampSmall = (v: number | null, max: number) =>
  v && v >= 1 && v <= max ? Math.round(v) : null;

function formatName(container: string, codec: string | null): string {
  const c = `${container} ${codec ?? ""}`.toLowerCase();
  if (c.includes("flac")) return "flac";
  if (c.includes("vorbis") || c.includes("ogg")) return "ogg";
  if (c.includes("opus")) return "opus";
  if (c.includes("mpeg-4") || c.includes("aac") || c.includes("m4a") || c.includes("alac"))
    return "m4a";
  if (c.includes("wav") || c.includes("pcm")) return "wav";
  if (c.includes("mpeg") || c.includes("mp3")) return "mp3";
  return container.toLowerCase().slice(0, 16);
}
