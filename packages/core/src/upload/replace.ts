/**
 * Replacing a track's audio ("replace file"): the explicit flow by which a `done` track's
 * audio changes. The track's owner (or an admin) asks for a replacement; it is an ordinary
 * single-use upload ticket that names the track (`replaces_track_id`), and it goes through
 * the same pipeline — byte gate, decode, analysis. At Load, instead of filing a new track,
 * the SAME track (id, likes, ratings, playlists, listens, play count) gets the new file,
 * duration, format and audio features; its curated metadata (title, artist, album, lyrics,
 * cover) stays, and any differing tags are recorded as warnings on the upload. The old
 * audio object is removed only once the stream URLs already handed out for it have expired
 * (`purgeReplacedAudio`), so neither the track nor a listener mid-song meets a missing object.
 * A replacement that fails (not audio, superseded by a newer one, track deleted …) leaves the
 * track untouched, says why and removes what it had stored.
 */
import { and, asc, eq, gt, isNotNull, lte, ne, or, sql } from "drizzle-orm";
import { assertOwnsArtist } from "../artist";
import { albums } from "../album/album.sql";
import { artists } from "../artist/artist.sql";
import { recordAudit } from "../audit/audit";
import type { Actor, Ctx, Ports } from "../context";
import { transaction } from "../db/transaction";
import { AppError, CommonErrors } from "../errors";
import { genreIdBySlug } from "../genre/index";
import { setTrackAudio, trackEffects, type TrackAudio } from "../track/index";
import { keptLyrics } from "../track/lyrics";
import { tracks } from "../track/track.sql";
import { STREAM_URL_TTL_SECONDS } from "../track/stream";
import { nameKey } from "../util/text";
import { stagedAudioColumns } from "../track/ingest";
import {
  signUploadForm,
  toUploadView,
  UPLOAD_BUCKET,
  type UploadRequest,
  type UploadView,
} from "./index";
import {
  attachTrack,
  EXPIRY_GRACE_MS,
  insertUpload,
  UploadRefusedError,
  type JobRef,
} from "./lifecycle";
import type { ObjectStore, PresignedUpload } from "../storage/object-store";
import type { Executor } from "../db/types";
import type { Logger } from "../logger";
import { trackUploads } from "./upload.sql";

export const ReplaceErrors = {
  inProgress: (uploadId: string) =>
    new AppError(
      "replace_in_progress",
      409,
      "A replacement of this track's audio is already being processed: wait for it to finish.",
      { uploadId },
    ),
};

/** A refusal at Load: the uploader reads it as the upload's failure reason. */
export const SUPERSEDED_REASON =
  "a newer replacement of this track's audio was made after this one; this file was not used";
/** A pending replacement whose file never came, superseded by a newer request of the owner. */
export const ABANDONED_REASON =
  "a newer replacement of this track's audio was requested before this file arrived; this upload link no longer works";
export const TRACK_GONE_REASON = "the track whose audio this file was to replace has been deleted";

/**
 * How long the replaced audio object outlives the replacement: every stream URL handed out
 * before the commit (valid STREAM_URL_TTL_SECONDS) still plays to its end, with a margin.
 */
export const OLD_AUDIO_GRACE_MS = (STREAM_URL_TTL_SECONDS + 5 * 60) * 1000;

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
 * replacement of the same track is being processed or its file has landed; an earlier
 * ticket whose file never came is failed (ABANDONED_REASON) and gives way.
 */
export async function requestReplacement(
  ctx: Ctx,
  actor: Actor,
  trackId: string,
  input: UploadRequest,
): Promise<{ upload: UploadView; presigned: PresignedUpload }> {
  // The same checks and form as requestUpload (a demoted artist uploads nothing).
  const { id, filename, key, contentType, presigned } = await signUploadForm(ctx, actor, input);
  const inserted = await ctx.db.transaction(async (tx) => {
    // Locked: two requests for the same track queue here, and the second sees the first.
    const [track] = await tx
      .select({ artistId: tracks.artistId, filePath: tracks.filePath })
      .from(tracks)
      .where(eq(tracks.id, trackId))
      .limit(1)
      .for("update");
    if (!track) throw CommonErrors.notFound("track", trackId);
    await assertOwnsArtist(tx, actor, track.artistId);
    const running = await tx
      .select({
        id: trackUploads.id,
        status: trackUploads.status,
        key: trackUploads.s3Path,
        etag: trackUploads.objectEtag,
      })
      .from(trackUploads)
      .where(and(eq(trackUploads.replacesTrackId, trackId), inFlight(new Date())));
    for (const r of running) {
      // Being processed, or its file has landed: that one goes first (409).
      if (r.status !== "pending" || r.etag || (await ctx.objects.head(UPLOAD_BUCKET, r.key)))
        throw ReplaceErrors.inProgress(r.id);
    }
    // Tickets whose file never came (a closed tab, the wrong file picked): the owner asking
    // again supersedes them at once instead of waiting out their link. A file sent to one
    // later is refused at claim (a failed upload is never processed).
    for (const r of running)
      await tx
        .update(trackUploads)
        .set({ status: "failed", failureReason: ABANDONED_REASON, updatedAt: new Date() })
        .where(and(eq(trackUploads.id, r.id), eq(trackUploads.status, "pending")));
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
      replacesFilePath: track.filePath,
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
 * dropped (a new ETag, the stream serves the new file) and its search document is re-synced
 * (outbox); the old audio object is deleted later, by `purgeReplacedAudio`, once the stream
 * URLs handed out for it have expired.
 *
 * Idempotent: Load retried after a commit whose answer was lost finds the track already
 * playing this upload's file and answers the same, writing nothing again. Refuses (no retry)
 * when the track is gone, or when its audio changed since this replacement was requested (a
 * newer replacement was applied or requested) — an older file never overwrites a newer one.
 * A refused replacement's stored copy and thumbnails are deleted after the commit.
 */
export async function replaceTrackAudio(
  deps: Pick<Ports, "db" | "cache" | "log" | "objects" | "outbox">,
  job: Pick<JobRef, "jobId" | "uploadId" | "key">,
  now: Date = new Date(),
): Promise<{ trackId: string }> {
  const outcome = await transaction(
    deps,
    async (tx, effects): Promise<{ trackId: string } | { refused: string }> => {
      const [upload] = await tx
        .select()
        .from(trackUploads)
        .where(eq(trackUploads.id, job.uploadId))
        .limit(1)
        .for("update");
      const staged = upload?.staged;
      const trackId = upload?.replacesTrackId;
      if (!upload || !staged || !trackId)
        return { refused: "nothing was staged for this replacement" };
      const newKey = staged.audioKey ?? job.key;
      const stagedObjects = [
        ...(staged.audioKey ? [["tracks", staged.audioKey] as const] : []),
        ...Object.values(staged.thumbnails)
          .filter((k): k is string => !!k)
          .map((k) => ["covers", k] as const),
      ];
      const refuse = (reason: string) => {
        effects.afterCommit("refused replacement's objects", () =>
          Promise.all(stagedObjects.map(([bucket, key]) => deps.objects.delete(bucket, key))),
        );
        return { refused: reason };
      };
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
      if (!track) return refuse(TRACK_GONE_REASON);
      // A retry after a commit whose answer was lost: already applied, nothing to write again.
      if (upload.trackId === trackId && track.filePath === newKey) return { trackId };
      // An older replacement (its event lost and re-driven late) never overwrites a newer one.
      const [newer] = await tx
        .select({ id: trackUploads.id })
        .from(trackUploads)
        .where(
          and(
            eq(trackUploads.replacesTrackId, trackId),
            ne(trackUploads.id, upload.id),
            gt(trackUploads.createdAt, upload.createdAt),
            or(eq(trackUploads.status, "done"), inFlight(now)),
          ),
        )
        .limit(1);
      if (newer || (track.filePath ?? null) !== (upload.replacesFilePath ?? null))
        return refuse(SUPERSEDED_REASON);

      const warnings = [...upload.warnings, ...tagDifferences(staged, track)];

      // A genre someone chose (or a tag gave) stays; one the model predicted from the old
      // audio follows the new audio.
      let genre: Partial<TrackAudio> = {};
      if (track.genreSource === null || track.genreSource === "predicted") {
        const genreId = staged.genre ? await genreIdBySlug(tx, staged.genre.slug) : null;
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

      await setTrackAudio(tx, trackId, {
        ...genre,
        ...stagedAudioColumns(staged, newKey, upload.sizeBytes),
        ...(track.lyrics && track.lyrics.length > 0
          ? {}
          : { lyrics: keptLyrics(staged.tags.lyrics) }),
      });
      await attachTrack(tx, upload.id, trackId, warnings);
      // The old object stays while stream URLs signed for it may still be in use.
      const oldKey = track.filePath;
      await tx
        .update(trackUploads)
        .set({
          replacesFilePath: oldKey,
          oldAudioDeleteAfter:
            oldKey && oldKey !== newKey ? new Date(now.getTime() + OLD_AUDIO_GRACE_MS) : null,
        })
        .where(eq(trackUploads.id, upload.id));
      await recordAudit(
        tx,
        { requestId: job.jobId },
        { userId: upload.userId },
        {
          action: "track.audio_replace",
          entityType: "track",
          entityId: trackId,
          details: { uploadId: upload.id, from: oldKey, to: newKey },
        },
      );
      trackEffects(deps, effects, trackId);
      return { trackId };
    },
  );
  if ("refused" in outcome) throw new UploadRefusedError(outcome.refused);
  return outcome;
}

/**
 * The replaced audio objects whose grace has passed are deleted (an object some track plays
 * again is kept). Run by the recovery sweep (locally hourly); returns how many were deleted.
 */
export async function purgeReplacedAudio(
  deps: { db: Executor; objects: Pick<ObjectStore, "delete">; log: Pick<Logger, "warn"> },
  now: Date = new Date(),
  limit = 500,
): Promise<number> {
  const due = await deps.db
    .select({ id: trackUploads.id, key: trackUploads.replacesFilePath })
    .from(trackUploads)
    .where(
      and(isNotNull(trackUploads.oldAudioDeleteAfter), lte(trackUploads.oldAudioDeleteAfter, now)),
    )
    .orderBy(asc(trackUploads.oldAudioDeleteAfter))
    .limit(limit);
  let deleted = 0;
  for (const row of due) {
    try {
      if (row.key) {
        const [used] = await deps.db
          .select({ id: tracks.id })
          .from(tracks)
          .where(eq(tracks.filePath, row.key))
          .limit(1);
        if (!used) {
          await deps.objects.delete("tracks", row.key);
          deleted++;
        }
      }
      await deps.db
        .update(trackUploads)
        .set({ oldAudioDeleteAfter: null })
        .where(eq(trackUploads.id, row.id));
    } catch (err) {
      // Left due: the next sweep tries again.
      deps.log.warn({ err, key: row.key }, "replaced audio object not deleted");
    }
  }
  return deleted;
}

/**
 * MarkFailed for a replacement already applied (Load committed, a later step failed): the
 * track plays the new file, so the upload is done, not failed. Returns the track id then.
 */
export async function appliedReplacement(
  db: Ports["db"],
  uploadId: string,
): Promise<string | null> {
  const [row] = await db
    .select({
      trackId: trackUploads.trackId,
      replaces: trackUploads.replacesTrackId,
      staged: trackUploads.staged,
      filePath: tracks.filePath,
    })
    .from(trackUploads)
    .innerJoin(tracks, eq(tracks.id, trackUploads.trackId))
    .where(eq(trackUploads.id, uploadId))
    .limit(1);
  if (!row?.replaces || row.trackId !== row.replaces || !row.staged?.audioKey) return null;
  return row.filePath === row.staged.audioKey ? row.trackId : null;
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
