/**
 * Replacing a track's audio ("replace file"): the explicit flow by which a `done` track's
 * audio changes. The track's owner (or an admin) asks for a replacement; it is an ordinary
 * single-use upload ticket that names the track (`replaces_track_id`), and it goes through
 * the same pipeline — byte gate, decode, analysis. At Load, instead of filing a new track,
 * the SAME track (id, likes, ratings, playlists, listens, play count) gets the new file,
 * duration, format and audio features; its curated metadata (title, artist, album, lyrics,
 * cover) stays, and any differing tags are recorded as warnings on the upload. The old
 * audio object is removed only after the commit, so the track never points at a missing
 * object. A replacement that fails (not audio …) leaves the track untouched and says why.
 */
import { randomUUID } from "node:crypto";
import { and, eq, gt, isNotNull, ne, or, sql } from "drizzle-orm";
import { assertOwnsArtist } from "../artist";
import { albums } from "../album/album.sql";
import { artists } from "../artist/artist.sql";
import { recordAudit } from "../audit/audit";
import type { Actor, Ctx, Ports } from "../context";
import { transaction } from "../db/transaction";
import { AppError, CommonErrors } from "../errors";
import { genres } from "../genre/genre.sql";
import { trackEffects } from "../track/index";
import { keptLyrics } from "../track/lyrics";
import { tracks } from "../track/track.sql";
import { nameKey } from "../util/text";
import { formatName } from "../track/ingest";
import {
  checkContentType,
  originalName,
  toUploadView,
  UPLOAD_BUCKET,
  UPLOAD_CONTENT_TYPE_PREFIX,
  UPLOAD_MAX_BYTES,
  UPLOAD_URL_TTL_SECONDS,
  uploadKey,
  type UploadRequest,
  type UploadView,
} from "./index";
import { UploadErrors } from "./errors";
import {
  attachTrack,
  EXPIRY_GRACE_MS,
  insertUpload,
  UploadRefusedError,
  type JobRef,
} from "./lifecycle";
import type { PresignedUpload } from "../storage/object-store";
import { trackUploads } from "./upload.sql";

export const ReplaceErrors = {
  inProgress: (uploadId: string) =>
    new AppError(
      "replace_in_progress",
      409,
      "A replacement of this track's audio is already under way: wait for it to finish (or for its upload link to expire).",
      { uploadId },
    ),
};

/** The replacement still running or still able to receive its file. */
const inFlight = (now: Date) =>
  or(
    eq(trackUploads.status, "processing"),
    and(
      eq(trackUploads.status, "pending"),
      or(
        isNotNull(trackUploads.objectEtag),
        gt(trackUploads.expiresAt, new Date(now.getTime() - EXPIRY_GRACE_MS)),
      ),
    ),
  );

/**
 * The owner of a track (or an admin) asks to replace its audio: a `pending` upload that
 * names the track and a single-use presigned POST, as for a new upload. 404 for an unknown
 * track, 403 not_owner for anyone else's, 409 replace_in_progress while another
 * replacement of the same track can still arrive or is being processed.
 */
export async function requestReplacement(
  ctx: Ctx,
  actor: Actor,
  trackId: string,
  input: UploadRequest,
): Promise<{ upload: UploadView; presigned: PresignedUpload }> {
  const contentType = checkContentType(input.contentType);
  if (input.size !== undefined && input.size > UPLOAD_MAX_BYTES)
    throw UploadErrors.tooLarge(UPLOAD_MAX_BYTES);
  const id = randomUUID();
  const filename = originalName(input.filename);
  const key = uploadKey(actor.userId, id, filename);
  // Signed first (as requestUpload does): the form is only handed out once the row exists.
  const presigned = await ctx.objects.presignUpload(UPLOAD_BUCKET, key, {
    contentType,
    contentTypePrefix: UPLOAD_CONTENT_TYPE_PREFIX,
    maxBytes: UPLOAD_MAX_BYTES,
    expiresInSeconds: UPLOAD_URL_TTL_SECONDS,
  });
  const inserted = await ctx.db.transaction(async (tx) => {
    // Locked: two requests for the same track queue here, and the second sees the first.
    const [track] = await tx
      .select({ artistId: tracks.artistId })
      .from(tracks)
      .where(eq(tracks.id, trackId))
      .limit(1)
      .for("update");
    if (!track) throw CommonErrors.notFound("track", trackId);
    await assertOwnsArtist(tx, actor, track.artistId);
    const [running] = await tx
      .select({ id: trackUploads.id })
      .from(trackUploads)
      .where(and(eq(trackUploads.replacesTrackId, trackId), inFlight(new Date())))
      .limit(1);
    if (running) throw ReplaceErrors.inProgress(running.id);
    const upload = await insertUpload(tx, {
      id,
      userId: actor.userId,
      originalFilename: filename,
      s3Path: key,
      contentType,
      sizeBytes: input.size ?? null,
      source: "direct",
      expiresAt: new Date(presigned.expiresAt),
      replacesTrackId: trackId,
    });
    await recordAudit(tx, ctx.meta, actor, {
      action: "track.audio_replace.request",
      entityType: "track",
      entityId: trackId,
      details: { uploadId: id, filename, contentType, size: input.size ?? null },
    });
    return upload;
  });
  return { upload: toUploadView(inserted), presigned };
}

/** The track a staged upload replaces, or null for an ordinary upload. */
export async function replacedTrackOf(db: Ports["db"], uploadId: string): Promise<string | null> {
  const [row] = await db
    .select({ replaces: trackUploads.replacesTrackId })
    .from(trackUploads)
    .where(eq(trackUploads.id, uploadId))
    .limit(1);
  return row?.replaces ?? null;
}

/**
 * Load for a replacement: in one transaction the track gets the staged audio (file, format,
 * duration, size, loudness, tempo and the other analysis fields) and keeps everything
 * else; the upload points at it with its warnings. After the commit the track's caches are
 * dropped (a new ETag, the stream serves the new file), its search document is re-synced
 * (outbox) and the old audio object is deleted. Refuses (no retry) when the track is gone.
 */
export async function replaceTrackAudio(
  deps: Pick<Ports, "db" | "cache" | "log" | "objects" | "outbox">,
  job: Pick<JobRef, "jobId" | "uploadId" | "key">,
): Promise<{ trackId: string }> {
  return transaction(deps, async (tx, effects) => {
    const [upload] = await tx
      .select()
      .from(trackUploads)
      .where(eq(trackUploads.id, job.uploadId))
      .limit(1);
    const staged = upload?.staged;
    const trackId = upload?.replacesTrackId;
    if (!upload || !staged || !trackId)
      throw new UploadRefusedError("nothing was staged for this replacement");
    const [track] = await tx
      .select({
        id: tracks.id,
        title: tracks.title,
        filePath: tracks.filePath,
        genreId: tracks.genreId,
        genreSource: tracks.genreSource,
        lyrics: tracks.lyrics,
        coverUrl: tracks.coverUrl,
        artistName: artists.name,
        albumTitle: albums.title,
      })
      .from(tracks)
      .innerJoin(artists, eq(artists.id, tracks.artistId))
      .leftJoin(albums, eq(albums.id, tracks.albumId))
      .where(eq(tracks.id, trackId))
      .limit(1)
      .for("update", { of: tracks });
    if (!track)
      throw new UploadRefusedError(
        "the track whose audio this file was to replace has been deleted",
      );

    const warnings = [...upload.warnings, ...tagDifferences(staged, track)];

    // A genre someone chose (or a tag gave) stays; one the model predicted from the old
    // audio follows the new audio.
    let genre: Partial<typeof tracks.$inferInsert> = {};
    if (track.genreSource === null || track.genreSource === "predicted") {
      let genreId: number | null = null;
      if (staged.genre) {
        const [g] = await tx
          .select({ id: genres.id })
          .from(genres)
          .where(eq(genres.slug, staged.genre.slug))
          .limit(1);
        genreId = g?.id ?? null;
      }
      if (genreId !== null || track.genreSource === "predicted")
        genre = {
          genreId,
          genreSource: genreId ? staged.genre!.source : null,
          genreConfidence: genreId ? staged.genre!.confidence : null,
          genreModelVersion: genreId
            ? (staged.genre!.modelVersion ?? null)
            : (staged.genreAbstain?.modelVersion ?? null),
          genreAbstainReason: genreId ? null : (staged.genreAbstain?.reason ?? null),
        };
    }

    // The track keeps its cover: the replacement's embedded art is used only when it has none.
    const [covered] = await tx
      .select({ id: trackUploads.id })
      .from(trackUploads)
      .where(
        and(
          eq(trackUploads.trackId, trackId),
          ne(trackUploads.id, upload.id),
          sql`${trackUploads.staged}->'thumbnails' ? '300'`,
        ),
      )
      .limit(1);
    const unusedCovers = Object.values(staged.thumbnails).filter((k): k is string => !!k);
    if ((covered || track.coverUrl) && unusedCovers.length > 0) {
      warnings.push("the file's embedded cover was not used: the track keeps its cover");
      await tx
        .update(trackUploads)
        .set({ staged: { ...staged, thumbnails: {} } })
        .where(eq(trackUploads.id, upload.id));
      effects.afterCommit("unused replacement covers", () =>
        Promise.all(unusedCovers.map((k) => deps.objects.delete("covers", k))),
      );
    }

    const f = staged.features;
    const newKey = staged.audioKey ?? job.key;
    await tx
      .update(tracks)
      .set({
        ...genre,
        durationMs: Math.max(0, Math.round(staged.format.durationMs)),
        filePath: newKey,
        fileFormat: formatName(staged.format.container, staged.format.codec),
        fileSizeBytes: upload.sizeBytes,
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
        ...(track.lyrics && track.lyrics.length > 0
          ? {}
          : { lyrics: keptLyrics(staged.tags.lyrics) }),
        updatedAt: new Date(),
      })
      .where(eq(tracks.id, trackId));
    await attachTrack(tx, upload.id, trackId, warnings);
    await recordAudit(
      tx,
      { requestId: job.jobId },
      { userId: upload.userId },
      {
        action: "track.audio_replace",
        entityType: "track",
        entityId: trackId,
        details: { uploadId: upload.id, from: track.filePath, to: newKey },
      },
    );
    trackEffects(deps, effects, trackId);
    const oldKey = track.filePath;
    if (oldKey && oldKey !== newKey)
      effects.afterCommit("replaced audio object", () => deps.objects.delete("tracks", oldKey));
    return { trackId };
  });
}

/** What the replacement's tags say differently from the track's curated metadata, in words. */
function tagDifferences(
  staged: {
    title: string;
    tags: { title: string | null };
    artistName: string | null;
    albumTitle: string | null;
  },
  track: { title: string; artistName: string; albumTitle: string | null },
): string[] {
  const out: string[] = [];
  const differs = (a: string | null, b: string | null) =>
    !!a && (b === null || nameKey(a) !== nameKey(b));
  if (staged.tags.title && differs(staged.title, track.title))
    out.push(`the file is titled "${staged.title}"; the track keeps its title "${track.title}"`);
  if (differs(staged.artistName, track.artistName))
    out.push(
      `the file names the artist "${staged.artistName}"; the track stays under "${track.artistName}"`,
    );
  if (differs(staged.albumTitle, track.albumTitle))
    out.push(
      track.albumTitle
        ? `the file names the album "${staged.albumTitle}"; the track stays on "${track.albumTitle}"`
        : `the file names the album "${staged.albumTitle}"; the track stays a single`,
    );
  return out;
}

const clamp01 = (v: number) => Math.max(0, Math.min(1, v));
const finiteOrNull = (v: number | null | undefined) => (v != null && Number.isFinite(v) ? v : null);
