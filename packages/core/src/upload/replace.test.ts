import { openDomainTestKit, type DomainTestKit } from "@jonquils/local/testing/domain";
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArtist } from "../artist/index";
import type { Actor } from "../context";
import { genres } from "../genre/genre.sql";
import { auditLog } from "../audit/audit.sql";
import { outboxEvents } from "../outbox/outbox.sql";
import { createTrack, getTrack, updateTrack } from "../track/index";
import { tracks } from "../track/track.sql";
import { requestUpload } from "./index";
import { claimObject } from "./lifecycle";
import {
  ABANDONED_REASON,
  appliedReplacement,
  OLD_AUDIO_GRACE_MS,
  purgeReplacedAudio,
  requestReplacement,
  replaceTrackAudio,
  SUPERSEDED_REASON,
} from "./replace";
import type { StagedTrack } from "./staged";
import { trackUploads } from "./upload.sql";

/**
 * The replace service without HTTP or decoding (the API test, replace-audio.test.ts, runs real
 * files through the pipeline): what a staged replacement does to the track it names.
 */
describe("replacing a track's audio (service)", () => {
  let kit: DomainTestKit;
  let artist: Actor;
  let artistName: string;
  beforeAll(async () => {
    kit = await openDomainTestKit();
    artist = { ...(await kit.user()), role: "artist" };
    artistName = `Replacer ${process.pid}`;
    await createArtist(kit.ctx, artist, { name: artistName });
  }, 60_000);
  afterAll(() => kit?.close());

  const staged = (over: Partial<StagedTrack> = {}): StagedTrack => ({
    title: "Something Else",
    artistName: "Somebody Else",
    albumTitle: null,
    tags: {
      title: "Something Else",
      artist: "Somebody Else",
      albumArtist: null,
      album: null,
      genres: ["rock"],
      year: null,
      trackNumber: null,
      discNumber: null,
    },
    format: {
      container: "Ogg",
      codec: "Vorbis I",
      durationMs: 1089,
      bitrate: 112000,
      sampleRate: 44100,
      channels: 2,
      lossless: false,
    },
    features: {
      tempo: 128,
      tempoConfidence: 0.9,
      energy: 0.4,
      valence: 0.3,
      loudness: -14.5,
      silent: false,
      silenceRatio: 0,
    },
    genre: { slug: "rock", source: "tag", confidence: null },
    thumbnails: {},
    ...over,
  });

  /** A replacement as Transform leaves it: staged, its verified copy stored under a/…. */
  async function stagedReplacement(trackId: string, s: StagedTrack = staged()) {
    const { upload } = await requestReplacement(kit.ctx, artist, trackId, {
      filename: "new.ogg",
      contentType: "audio/ogg",
      size: 21102,
    });
    const audioKey = upload.key.replace(/^u\//, "a/");
    await kit.ctx.objects.put("tracks", audioKey, new Uint8Array([1, 2, 3]), "audio/ogg");
    await kit.ctx.db
      .update(trackUploads)
      .set({ staged: { ...s, audioKey }, status: "processing", objectEtag: "etag" })
      .where(eq(trackUploads.id, upload.id));
    return { upload, audioKey };
  }
  const deps = () => ({ ...kit.ctx, outbox: undefined });

  it("gives the track the new audio and analysis, keeps its title, artist and manual genre, and says what the tags said", async () => {
    const [jazz] = await kit.ctx.db
      .select({ id: genres.id })
      .from(genres)
      .where(eq(genres.slug, "jazz"));
    const track = await createTrack(kit.ctx, artist, { title: "Curated Title", durationMs: 5000 });
    await updateTrack(kit.ctx, artist, track.id, { genreId: jazz!.id });
    const oldKey = `a/${artist.userId}/old/old.mp3`;
    await kit.ctx.objects.put("tracks", oldKey, new Uint8Array([9]), "audio/mpeg");
    await kit.ctx.db
      .update(tracks)
      .set({ filePath: oldKey, fileFormat: "mp3" })
      .where(eq(tracks.id, track.id));

    const { upload, audioKey } = await stagedReplacement(track.id);
    const { trackId } = await replaceTrackAudio(deps(), {
      jobId: "job",
      uploadId: upload.id,
      key: upload.key,
    });
    expect(trackId).toBe(track.id);

    const after = await getTrack(kit.ctx, track.id);
    expect(after).toMatchObject({
      title: "Curated Title",
      artist: { name: artistName },
      genre: { slug: "jazz" },
      genreSource: "manual",
      durationMs: 1089,
      fileFormat: "ogg",
      tempo: 128,
      loudness: -14.5,
      hasAudio: true,
    });
    const [row] = await kit.ctx.db
      .select({ path: tracks.filePath })
      .from(tracks)
      .where(eq(tracks.id, track.id));
    expect(row!.path).toBe(audioKey);
    expect(await kit.ctx.objects.head("tracks", audioKey)).not.toBeNull();
    // A listener mid-song (stream URL signed before the replace) still reads the old object…
    expect(await kit.ctx.objects.head("tracks", oldKey)).not.toBeNull();
    const t0 = Date.now();
    expect(await purgeReplacedAudio(kit.ctx, new Date(t0 + 60_000))).toBe(0);
    expect(await kit.ctx.objects.head("tracks", oldKey)).not.toBeNull();
    // … and once every such URL has expired, the sweep deletes it (once).
    expect(
      await purgeReplacedAudio(kit.ctx, new Date(t0 + OLD_AUDIO_GRACE_MS + 60_000)),
    ).toBeGreaterThanOrEqual(1);
    expect(await kit.ctx.objects.head("tracks", oldKey)).toBeNull();
    expect(await kit.ctx.objects.head("tracks", audioKey)).not.toBeNull();

    const [up] = await kit.ctx.db.select().from(trackUploads).where(eq(trackUploads.id, upload.id));
    expect(up!.trackId).toBe(track.id);
    expect(up!.warnings).toEqual([
      `the file is titled "Something Else"; the track keeps its title "Curated Title"`,
      `the file names the artist "Somebody Else"; the track stays under "${artistName}"`,
    ]);

    // Its search document is re-synced through the outbox.
    const events = await kit.ctx.db
      .select({ payload: outboxEvents.payload })
      .from(outboxEvents)
      .where(eq(outboxEvents.topic, "search"))
      .orderBy(desc(outboxEvents.id))
      .limit(1);
    expect(JSON.stringify(events[0]?.payload)).toContain(track.id);
  });

  it("a track with no chosen genre takes the replacement's; no tag difference, no warning", async () => {
    const track = await createTrack(kit.ctx, artist, { title: "Something Else" });
    const { upload } = await stagedReplacement(
      track.id,
      staged({ artistName: artistName, tags: { ...staged().tags, artist: artistName } }),
    );
    await replaceTrackAudio(deps(), { jobId: "j", uploadId: upload.id, key: upload.key });
    const after = await getTrack(kit.ctx, track.id);
    expect(after).toMatchObject({ genre: { slug: "rock" }, genreSource: "tag" });
    const [up] = await kit.ctx.db
      .select({ warnings: trackUploads.warnings })
      .from(trackUploads)
      .where(eq(trackUploads.id, upload.id));
    expect(up!.warnings).toEqual([]);
  });

  it("refuses (no retry) when the track was deleted meanwhile, instead of filing a new one", async () => {
    const track = await createTrack(kit.ctx, artist, { title: "Short-lived" });
    const coverKey = `uploads/${track.id}/300.jpg`;
    await kit.ctx.objects.put("covers", coverKey, new Uint8Array([7]), "image/jpeg");
    const { upload, audioKey } = await stagedReplacement(
      track.id,
      staged({ thumbnails: { 300: coverKey } }),
    );
    await kit.ctx.db.delete(tracks).where(eq(tracks.id, track.id));
    const before = await kit.ctx.db.select({ id: tracks.id }).from(tracks);
    await expect(
      replaceTrackAudio(deps(), { jobId: "j", uploadId: upload.id, key: upload.key }),
    ).rejects.toMatchObject({
      name: "NotProcessableError",
      message: expect.stringMatching(/deleted/),
    });
    expect(await kit.ctx.db.select({ id: tracks.id }).from(tracks)).toHaveLength(before.length);
    // What the refused replacement had stored is removed (no orphan copy).
    expect(await kit.ctx.objects.head("tracks", audioKey)).toBeNull();
    expect(await kit.ctx.objects.head("covers", coverKey)).toBeNull();
  });

  it("an older replacement whose file arrives late (event lost, re-driven) never overwrites a newer one", async () => {
    const track = await createTrack(kit.ctx, artist, { title: "Twice Replaced" });
    // A: requested, its link expired with no file seen, so B may be requested…
    const { upload: older } = await requestReplacement(kit.ctx, artist, track.id, {
      filename: "older.ogg",
      contentType: "audio/ogg",
    });
    await kit.ctx.db
      .update(trackUploads)
      .set({ expiresAt: new Date(Date.now() - 3_600_000) })
      .where(eq(trackUploads.id, older.id));
    const newer = await stagedReplacement(track.id);
    await replaceTrackAudio(deps(), {
      jobId: "b",
      uploadId: newer.upload.id,
      key: newer.upload.key,
    });
    // … and A's object, stored in time but whose event was lost, reaches Load after B.
    const olderKey = older.key.replace(/^u\//, "a/");
    await kit.ctx.objects.put("tracks", olderKey, new Uint8Array([4]), "audio/ogg");
    await kit.ctx.db
      .update(trackUploads)
      .set({ staged: { ...staged(), audioKey: olderKey }, status: "processing", objectEtag: "e" })
      .where(eq(trackUploads.id, older.id));
    await expect(
      replaceTrackAudio(deps(), { jobId: "a", uploadId: older.id, key: older.key }),
    ).rejects.toMatchObject({ name: "NotProcessableError", message: SUPERSEDED_REASON });
    const [row] = await kit.ctx.db
      .select({ path: tracks.filePath })
      .from(tracks)
      .where(eq(tracks.id, track.id));
    expect(row!.path).toBe(newer.audioKey);
    expect(await kit.ctx.objects.head("tracks", olderKey)).toBeNull();
    expect(await kit.ctx.objects.head("tracks", newer.audioKey)).not.toBeNull();
  });

  it("an older replacement arriving while a newer one is still under way is refused too", async () => {
    const track = await createTrack(kit.ctx, artist, { title: "Overtaken" });
    const older = await stagedReplacement(track.id);
    await kit.ctx.db
      .update(trackUploads)
      .set({ expiresAt: new Date(Date.now() - 3_600_000), status: "pending", objectEtag: null })
      .where(eq(trackUploads.id, older.upload.id));
    const newer = await requestReplacement(kit.ctx, artist, track.id, {
      filename: "newer.ogg",
      contentType: "audio/ogg",
    });
    expect(newer.upload.status).toBe("pending");
    await kit.ctx.db
      .update(trackUploads)
      .set({ status: "processing" })
      .where(eq(trackUploads.id, older.upload.id));
    await expect(
      replaceTrackAudio(deps(), { jobId: "a", uploadId: older.upload.id, key: older.upload.key }),
    ).rejects.toMatchObject({ message: SUPERSEDED_REASON });
    const after = await getTrack(kit.ctx, track.id);
    expect(after.hasAudio).toBe(false);
  });

  it("Load retried after its commit (answer lost) writes nothing twice; a later failure still reads as applied", async () => {
    const track = await createTrack(kit.ctx, artist, { title: "Retried Title" });
    const { upload, audioKey } = await stagedReplacement(track.id);
    const job = { jobId: "retry", uploadId: upload.id, key: upload.key };
    expect(await appliedReplacement(kit.ctx.db, upload.id)).toBeNull();
    expect(await replaceTrackAudio(deps(), job)).toEqual({ trackId: track.id });
    expect(await replaceTrackAudio(deps(), job)).toEqual({ trackId: track.id });
    const [up] = await kit.ctx.db
      .select({ warnings: trackUploads.warnings })
      .from(trackUploads)
      .where(eq(trackUploads.id, upload.id));
    expect(up!.warnings).toHaveLength(2);
    const audits = await kit.ctx.db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(and(eq(auditLog.action, "track.audio_replace"), eq(auditLog.entityId, track.id)));
    expect(audits).toHaveLength(1);
    const [row] = await kit.ctx.db
      .select({ path: tracks.filePath })
      .from(tracks)
      .where(eq(tracks.id, track.id));
    expect(row!.path).toBe(audioKey);
    // MarkFailed (Aggregate failed after this Load) asks this: the track plays the new file.
    expect(await appliedReplacement(kit.ctx.db, upload.id)).toBe(track.id);
  });

  it("a user no longer an artist (demoted) cannot replace audio", async () => {
    const track = await createTrack(kit.ctx, artist, { title: "Demoted" });
    await expect(
      requestReplacement(kit.ctx, { ...artist, role: "user" }, track.id, {
        filename: "x.ogg",
        contentType: "audio/ogg",
      }),
    ).rejects.toMatchObject({ code: "artist_role_required", status: 403 });
  });

  it("one replacement at a time per track; a ticket whose file never came gives way; an expired one no longer blocks; a normal upload is not a replacement", async () => {
    const track = await createTrack(kit.ctx, artist, { title: "Busy" });
    const abandoned = await requestReplacement(kit.ctx, artist, track.id, {
      filename: "wrong-file.ogg",
      contentType: "audio/ogg",
    });
    const first = await requestReplacement(kit.ctx, artist, track.id, {
      filename: "a.ogg",
      contentType: "audio/ogg",
    });
    expect(first.upload.replacesTrackId).toBe(track.id);
    const [gone] = await kit.ctx.db
      .select()
      .from(trackUploads)
      .where(eq(trackUploads.id, abandoned.upload.id));
    expect(gone).toMatchObject({ status: "failed", failureReason: ABANDONED_REASON });
    // A file sent to the abandoned link later is never processed.
    expect(
      await claimObject(kit.ctx.db, { bucket: "tracks", key: abandoned.upload.key, etag: "late" }),
    ).toMatchObject({ claimed: false });
    // Once the first one's file has landed, it goes first.
    await kit.ctx.objects.put("tracks", first.upload.key, new Uint8Array([1, 2, 3]), "audio/ogg");
    await expect(
      requestReplacement(kit.ctx, artist, track.id, {
        filename: "b.ogg",
        contentType: "audio/ogg",
      }),
    ).rejects.toMatchObject({
      code: "replace_in_progress",
      status: 409,
      extra: { uploadId: first.upload.id },
    });
    await kit.ctx.objects.delete("tracks", first.upload.key);
    await kit.ctx.db
      .update(trackUploads)
      .set({ expiresAt: new Date(Date.now() - 3_600_000) })
      .where(eq(trackUploads.id, first.upload.id));
    const second = await requestReplacement(kit.ctx, artist, track.id, {
      filename: "b.ogg",
      contentType: "audio/ogg",
    });
    expect(second.upload.status).toBe("pending");
    const plain = await requestUpload(kit.ctx, artist, {
      filename: "c.ogg",
      contentType: "audio/ogg",
    });
    expect(plain.upload.replacesTrackId).toBeNull();

    const stranger = { ...(await kit.user()), role: "artist" as const };
    await expect(
      requestReplacement(kit.ctx, stranger, track.id, {
        filename: "x.ogg",
        contentType: "audio/ogg",
      }),
    ).rejects.toMatchObject({ code: "not_owner", status: 403 });
  });
});
