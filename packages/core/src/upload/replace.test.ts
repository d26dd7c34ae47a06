import { openDomainTestKit, type DomainTestKit } from "@jonquils/local/testing/domain";
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArtist } from "../artist/index";
import type { Actor } from "../context";
import { genres } from "../genre/genre.sql";
import { outboxEvents } from "../outbox/outbox.sql";
import { createTrack, getTrack, updateTrack } from "../track/index";
import { tracks } from "../track/track.sql";
import { requestUpload } from "./index";
import { requestReplacement, replaceTrackAudio } from "./replace";
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
    const { upload } = await stagedReplacement(track.id);
    await kit.ctx.db.delete(tracks).where(eq(tracks.id, track.id));
    const before = await kit.ctx.db.select({ id: tracks.id }).from(tracks);
    await expect(
      replaceTrackAudio(deps(), { jobId: "j", uploadId: upload.id, key: upload.key }),
    ).rejects.toMatchObject({
      name: "NotProcessableError",
      message: expect.stringMatching(/deleted/),
    });
    expect(await kit.ctx.db.select({ id: tracks.id }).from(tracks)).toHaveLength(before.length);
  });

  it("one replacement at a time per track; an expired ticket no longer blocks; a normal upload is not a replacement", async () => {
    const track = await createTrack(kit.ctx, artist, { title: "Busy" });
    const first = await requestReplacement(kit.ctx, artist, track.id, {
      filename: "a.ogg",
      contentType: "audio/ogg",
    });
    expect(first.upload.replacesTrackId).toBe(track.id);
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
