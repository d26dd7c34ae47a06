import { eq } from "drizzle-orm";
import { findOrCreateAlbum } from "../album";
import { findOrCreateArtistNamed } from "../artist";
import { artists } from "../artist/artist.sql";
import { recordAudit } from "../audit/audit";
import type { Db } from "../db/types";
import { genreIdBySlug } from "../genre/index";
import { attachTrack, UploadRefusedError, type JobRef } from "../upload/lifecycle";
import type { StagedTrack } from "../upload/staged";
import { trackUploads } from "../upload/upload.sql";
import { users } from "../user/user.sql";
import { nameKey } from "../util/text";
import { tracks } from "./track.sql";
import { keptLyrics } from "./lyrics";

const UNKNOWN_ARTIST = "Unknown Artist";

/**
 * Upserts artist, album and track in one transaction. An artist's upload is filed under
 * their own profile whatever its tags say (an artist cannot publish as someone else);
 * an admin's upload is filed under the tagged track artist, and its album under the
 * tagged ALBUM artist (`albumartist`, compilations under "Various Artists"), so one album
 * with ten track artists stays one album. Names merge by normalised name. The track is
 * keyed by its audio copy, so loading the same upload twice updates one track. Covers are
 * not stored as URLs: the thumbnails' keys stay on the upload and the API serves them.
 */
export async function fileUploadedTrack(
  db: Db,
  job: Pick<JobRef, "jobId" | "uploadId" | "key">,
): Promise<{ trackId: string }> {
  return db.transaction(async (tx) => {
    const [upload] = await tx
      .select({ upload: trackUploads, role: users.role })
      .from(trackUploads)
      .innerJoin(users, eq(users.id, trackUploads.userId))
      .where(eq(trackUploads.id, job.uploadId))
      .limit(1);
    const staged = upload?.upload.staged;
    if (!upload || !staged) throw new UploadRefusedError("nothing was staged for this upload");
    const warnings = [...upload.upload.warnings];
    const userId = upload.upload.userId;

    let artistId: string;
    let albumArtistId: string;
    const [own] = await tx
      .select({ id: artists.id, name: artists.name })
      .from(artists)
      .where(eq(artists.userId, userId))
      .limit(1);
    if (upload.role === "admin" && staged.artistName) {
      artistId = await findOrCreateArtistNamed(tx, staged.artistName);
      albumArtistId =
        staged.albumArtistName && nameKey(staged.albumArtistName) !== nameKey(staged.artistName)
          ? await findOrCreateArtistNamed(tx, staged.albumArtistName)
          : artistId;
    } else if (own) {
      artistId = albumArtistId = own.id;
      if (staged.artistName && nameKey(staged.artistName) !== nameKey(own.name)) {
        warnings.push(
          `tagged artist "${staged.artistName}" differs from your profile; filed under "${own.name}"`,
        );
      }
    } else if (upload.role === "admin") {
      // An admin's untagged file (bulk import): filed under "Unknown Artist" to be fixed later.
      artistId = albumArtistId = await findOrCreateArtistNamed(tx, UNKNOWN_ARTIST);
      warnings.push(`the file names no artist; filed under "${UNKNOWN_ARTIST}"`);
    } else {
      throw new UploadRefusedError(
        "your account has no artist profile: create one, then upload again",
      );
    }

    let albumId: string | null = null;
    if (staged.albumTitle) {
      albumId = await findOrCreateAlbum(
        tx,
        albumArtistId,
        staged.albumTitle,
        staged.tags.year ? `${staged.tags.year}-01-01` : null,
      );
    }

    const genreId = staged.genre ? await genreIdBySlug(tx, staged.genre.slug) : null;

    const values = {
      artistId,
      albumId,
      genreId,
      genreSource: genreId ? staged.genre!.source : null,
      genreConfidence: genreId ? staged.genre!.confidence : null,
      genreModelVersion: genreId
        ? (staged.genre!.modelVersion ?? null)
        : (staged.genreAbstain?.modelVersion ?? null),
      genreAbstainReason: genreId ? null : (staged.genreAbstain?.reason ?? null),
      title: staged.title,
      trackNumber: clampSmall(staged.tags.trackNumber, 999),
      discNumber: clampSmall(staged.tags.discNumber, 99),
      year:
        staged.tags.year && staged.tags.year >= 1800 && staged.tags.year <= 2200
          ? staged.tags.year
          : null,
      ...stagedAudioColumns(staged, staged.audioKey ?? job.key, upload.upload.sizeBytes),
      lyrics: keptLyrics(staged.tags.lyrics),
      updatedAt: new Date(),
    };
    const [track] = await tx
      .insert(tracks)
      .values(values)
      .onConflictDoUpdate({ target: tracks.filePath, set: values })
      .returning({ id: tracks.id });
    const trackId = track!.id;
    await attachTrack(tx, job.uploadId, trackId, warnings);
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

/**
 * The track columns a staged file sets — its format, size and audio analysis, clamped to the
 * columns' ranges: Load for a new track, and replacing a track's audio (upload/replace.ts).
 */
export function stagedAudioColumns(
  staged: StagedTrack,
  filePath: string,
  fileSizeBytes: number | null,
) {
  const f = staged.features;
  return {
    durationMs: Math.max(0, Math.round(staged.format.durationMs)),
    filePath,
    fileFormat: formatName(staged.format.container, staged.format.codec),
    fileSizeBytes,
    bitrate: staged.format.bitrate ? Math.round(staged.format.bitrate) : null,
    sampleRate: staged.format.sampleRate,
    channels: staged.format.channels,
    tempo: f?.tempo ?? null,
    tempoConfidence:
      f?.tempo != null && f.tempoConfidence != null ? clamp01(f.tempoConfidence) : null,
    tempoReason: f && f.tempo == null ? (f.tempoReason ?? null) : null,
    energy: f ? clamp01(f.energy) : null,
    valence: f ? clamp01(f.valence) : null,
    loudness: f ? Math.max(-100, Math.min(10, f.loudness)) : null,
    truePeakDb: finiteOrNull(f?.truePeakDb),
    trackGainDb: finiteOrNull(f?.trackGainDb),
    timbre: f?.timbre ?? null,
  };
}

const clamp01 = (v: number) => Math.max(0, Math.min(1, v));
const finiteOrNull = (v: number | null | undefined) => (v != null && Number.isFinite(v) ? v : null);
const clampSmall = (v: number | null, max: number) =>
  v && v >= 1 && v <= max ? Math.round(v) : null;

export function formatName(container: string, codec: string | null): string {
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
