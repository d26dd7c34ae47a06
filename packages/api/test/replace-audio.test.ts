import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import { OLD_AUDIO_GRACE_MS, purgeReplacedAudio } from "@jonquils/core/upload/replace";
import {
  promoteToAdmin,
  registerArtist,
  registerUser,
  startTestApi,
  wirings,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;

/** Real recordings (Debian's sound-theme-freedesktop) and a real PNG, from the pipeline's gate corpus. */
const corpus = (name: string) =>
  new Uint8Array(
    readFileSync(new URL(`../../pipeline/test/fixtures/corpus/${name}`, import.meta.url)),
  );
/** 6.2 s MP3 tagged "Alarm Clock Elapsed" / freedesktop.org / "Sound Theme". */
const ALARM = corpus("alarm.mp3");
/** 1.1 s Ogg Vorbis tagged "Flagged 1" / "Flag Artist 1" / "Flagged Sounds". */
const FLAGGED = corpus("compilation-flag-1.ogg");
/** 2.2 s FLAC without tags. */
const LOGIN = corpus("service-login.flac");
const PNG = corpus("image.png");

describe.each(wirings())(
  "replacing a track's audio (POST /api/v1/tracks/{id}/audio) ($name)",
  (wiring) => {
    let api: TestApiWithStorage;
    let artist: Awaited<ReturnType<typeof registerArtist>>;
    let other: Awaited<ReturnType<typeof registerArtist>>;
    let listener: Awaited<ReturnType<typeof registerUser>>;

    beforeAll(async () => {
      api = await startTestApi(wiring, {}, { pipeline: true });
      artist = await registerArtist(api, "Replace Band");
      other = await registerArtist(api, "Other Band");
      listener = await registerUser(api);
    });
    afterAll(() => api.close());

    const settle = async () => {
      await Promise.all(api.executions);
      await api.pipeline!.drain();
    };
    const view = async (id: string, token = artist.accessToken) =>
      (await api.request("GET", `/api/v1/uploads/${id}`, { token })).body;

    function post(presigned: Json, bytes: Uint8Array, contentType: string) {
      const form = new FormData();
      for (const [k, v] of Object.entries(presigned.fields as Record<string, string>))
        form.append(k, v);
      form.append("file", new Blob([bytes], { type: contentType }), "f");
      return api.fetchUrl(presigned.url, { method: "POST", body: form });
    }
    async function streamBytes(trackId: string) {
      const stream = await api.request("GET", `/api/v1/tracks/${trackId}/stream`, {
        token: listener.accessToken,
      });
      expect(stream.status).toBe(200);
      return new Uint8Array(await (await api.fetchUrl(stream.body.url)).arrayBuffer());
    }
    const filePath = async (trackId: string) =>
      (
        await api.runtime.ports.db
          .select({ path: schema.tracks.filePath })
          .from(schema.tracks)
          .where(eq(schema.tracks.id, trackId))
      )[0]!.path!;

    /** A new track from a real file, through the ordinary upload. */
    async function uploadTrack(
      name: string,
      bytes: Uint8Array,
      contentType: string,
      token = artist.accessToken,
    ) {
      const res = await api.request("POST", "/api/v1/tracks/upload", {
        token,
        body: { filename: name, contentType, size: bytes.byteLength },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect((await post(res.body.presigned, bytes, contentType)).status).toBe(204);
      await settle();
      const done = await view(res.body.upload.id, token);
      expect(done.status, JSON.stringify(done)).toBe("done");
      return { uploadId: done.id as string, trackId: done.trackId as string };
    }

    const replace = (trackId: string, body: unknown, token = artist.accessToken) =>
      api.request("POST", `/api/v1/tracks/${trackId}/audio`, { token, body });

    it("gives the SAME track the new audio: id, title, album, likes, playlist and play count stay; duration, format, stream and ETag change", async () => {
      const { trackId, uploadId: firstUpload } = await uploadTrack(
        "alarm.mp3",
        ALARM,
        "audio/mpeg",
      );
      const before = await api.request("GET", `/api/v1/tracks/${trackId}`);
      expect(before.body).toMatchObject({ title: "Alarm Clock Elapsed", fileFormat: "mp3" });
      expect(before.body.durationMs).toBeGreaterThan(6000);
      const etagBefore = before.headers.get("etag");
      expect(etagBefore).toBeTruthy();
      const oldKey = await filePath(trackId);
      expect(await streamBytes(trackId)).toEqual(ALARM);
      // A listener who started the song before the replacement holds a signed stream URL.
      const midSong = await api.request("GET", `/api/v1/tracks/${trackId}/stream`, {
        token: listener.accessToken,
      });
      expect(midSong.status).toBe(200);

      // A listener's like and playlist, and some plays.
      expect(
        (
          await api.request("PUT", `/api/v1/tracks/${trackId}/like`, {
            token: listener.accessToken,
          })
        ).status,
      ).toBe(200);
      const playlist = await api.request("POST", "/api/v1/playlists", {
        token: listener.accessToken,
        body: { title: "Keepers" },
      });
      expect(playlist.status).toBe(201);
      const added = await api.request("POST", `/api/v1/playlists/${playlist.body.id}/tracks`, {
        token: listener.accessToken,
        body: { trackId },
      });
      expect(added.status).toBe(200);
      await api.runtime.ports.db
        .update(schema.tracks)
        .set({ playCount: 7 })
        .where(eq(schema.tracks.id, trackId));

      const res = await replace(trackId, {
        filename: "flagged.ogg",
        contentType: "audio/ogg",
        size: FLAGGED.byteLength,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.headers.get("location")).toBe(`/api/v1/uploads/${res.body.upload.id}`);
      expect(res.body.upload).toMatchObject({
        status: "pending",
        replacesTrackId: trackId,
        trackId: null,
      });
      expect(res.body.presigned.fields.key).toBe(res.body.upload.key);

      expect((await post(res.body.presigned, FLAGGED, "audio/ogg")).status).toBe(204);
      await settle();

      const up = await view(res.body.upload.id);
      expect(up).toMatchObject({
        status: "done",
        trackId,
        replacesTrackId: trackId,
        detectedFormat: "ogg",
      });
      // The file's own tags did not rename or move the track: they are listed as warnings.
      const warnings = (up.warnings as string[]).join("\n");
      expect(warnings).toMatch(
        /titled "Flagged 1"; the track keeps its title "Alarm Clock Elapsed"/,
      );
      expect(warnings).toMatch(/album "Flagged Sounds"; the track stays on "Sound Theme"/);
      expect(warnings).toMatch(/artist "Flag Artist 1"; the track stays under "Replace Band"/);

      const after = await api.request("GET", `/api/v1/tracks/${trackId}`);
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({
        id: trackId,
        title: "Alarm Clock Elapsed",
        artist: { id: before.body.artist.id, name: "Replace Band" },
        album: { id: before.body.album.id, title: "Sound Theme" },
        fileFormat: "ogg",
        playCount: 7,
      });
      expect(after.body.durationMs).toBeGreaterThan(1000);
      expect(after.body.durationMs).toBeLessThan(1500);
      expect(after.headers.get("etag")).not.toBe(etagBefore);
      const stream = await streamBytes(trackId);
      expect(stream).toEqual(FLAGGED);
      expect(stream).not.toEqual(ALARM);

      // Likes and playlists still hold the same track.
      const likes = await api.request("GET", "/api/v1/me/likes", { token: listener.accessToken });
      expect(likes.body.items).toHaveLength(1);
      expect(likes.body.items[0].track).toMatchObject({ id: trackId, fileFormat: "ogg" });
      const list = await api.request("GET", `/api/v1/playlists/${playlist.body.id}`, {
        token: listener.accessToken,
      });
      expect(list.body.tracks).toHaveLength(1);
      expect(list.body.tracks[0].track).toMatchObject({
        id: trackId,
        durationMs: after.body.durationMs,
      });

      // The listener mid-song still gets the old audio from the URL signed before (no 404) …
      const newKey = await filePath(trackId);
      expect(newKey).not.toBe(oldKey);
      const held = await api.fetchUrl(midSong.body.url);
      expect(held.status).toBe(200);
      expect(new Uint8Array(await held.arrayBuffer())).toEqual(ALARM);
      expect(await api.store.head("tracks", oldKey)).not.toBeNull();
      // … and once every such URL has expired, the sweep removes the old object.
      const sweep = { db: api.runtime.ports.db, objects: api.store, log: api.runtime.ports.log };
      await purgeReplacedAudio(sweep, new Date(Date.now() + 60_000));
      expect(await api.store.head("tracks", oldKey)).not.toBeNull();
      await purgeReplacedAudio(sweep, new Date(Date.now() + OLD_AUDIO_GRACE_MS + 60_000));
      expect(await api.store.head("tracks", oldKey)).toBeNull();
      expect(await api.store.head("tracks", newKey)).not.toBeNull();
      // No second track was filed.
      const count = await api.runtime.ports.db
        .select({ id: schema.tracks.id })
        .from(schema.tracks)
        .where(eq(schema.tracks.artistId, before.body.artist.id));
      expect(count).toHaveLength(1);

      // The first upload's replayed form is still refused, and so is the replacement's.
      const firstView = await view(firstUpload);
      expect(firstView.status).toBe("done");
      const replay = await post(res.body.presigned, PNG, "audio/ogg");
      expect(replay.status).toBe(403);
      expect(((await replay.json()) as { code: string }).code).toBe("upload_form_used");
      await settle();
      expect(await streamBytes(trackId)).toEqual(FLAGGED);
    });

    it("a file that is not audio fails the replacement with a reason; the track keeps playing its audio", async () => {
      const { trackId } = await uploadTrack("login.flac", LOGIN, "audio/flac");
      const before = (await api.request("GET", `/api/v1/tracks/${trackId}`)).body;
      const res = await replace(trackId, {
        filename: "picture.mp3",
        contentType: "audio/mpeg",
        size: PNG.byteLength,
      });
      expect(res.status).toBe(201);
      expect((await post(res.body.presigned, PNG, "audio/mpeg")).status).toBe(204);
      await settle();
      const up = await view(res.body.upload.id);
      expect(up.status).toBe("failed");
      expect(up.failureReason).toMatch(/PNG|image|not audio|audio/i);
      expect(up.trackId).toBeNull();
      expect(await streamBytes(trackId)).toEqual(LOGIN);
      const after = (await api.request("GET", `/api/v1/tracks/${trackId}`)).body;
      expect(after).toMatchObject({ durationMs: before.durationMs, fileFormat: "flac" });

      // A failed replacement does not block the next one.
      const again = await replace(trackId, { filename: "alarm.mp3", contentType: "audio/mpeg" });
      expect(again.status).toBe(201);
    });

    it("refuses others' tracks (403), unknown tracks (404), bad bodies (400) and a second replacement while one is processed (409); a ticket whose file never came gives way", async () => {
      const { trackId } = await uploadTrack("alarm-2.mp3", ALARM, "audio/mpeg");
      const body = { filename: "new.ogg", contentType: "audio/ogg" };

      const anonymous = await api.request("POST", `/api/v1/tracks/${trackId}/audio`, { body });
      expect(anonymous.status).toBe(401);
      for (const [token, code] of [
        [other.accessToken, "not_owner"],
        [listener.accessToken, "artist_role_required"],
      ] as const) {
        const res = await replace(trackId, body, token);
        expect(res.status).toBe(403);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        expect(res.body.code).toBe(code);
      }
      const unknown = await replace("00000000-0000-4000-8000-000000000000", body);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe("track_not_found");
      const badId = await replace("not-a-uuid", body);
      expect(badId.status).toBe(400);
      for (const bad of [{}, { filename: "x.ogg" }, { filename: "x.ogg", contentType: "nope" }]) {
        const res = await replace(trackId, bad);
        expect(res.status).toBe(400);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
      }
      const image = await replace(trackId, { filename: "x.png", contentType: "image/png" });
      expect(image.status).toBe(415);
      expect(image.body.code).toBe("not_audio");
      const huge = await replace(trackId, { ...body, size: 300 * 1024 * 1024 });
      expect(huge.status).toBe(413);

      // A ticket whose file never came (a closed tab) gives way to the owner's next request.
      const abandoned = await replace(trackId, body);
      expect(abandoned.status).toBe(201);
      const first = await replace(trackId, body);
      expect(first.status).toBe(201);
      expect(await view(abandoned.body.upload.id)).toMatchObject({
        status: "failed",
        failureReason: expect.stringMatching(/newer replacement .* requested before this file/),
      });
      // One being processed is not superseded: 409 names it.
      await api.runtime.ports.db
        .update(schema.trackUploads)
        .set({ status: "processing" })
        .where(eq(schema.trackUploads.id, first.body.upload.id));
      const second = await replace(trackId, body);
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({
        code: "replace_in_progress",
        uploadId: first.body.upload.id,
      });

      // An admin may replace any artist's audio (as they may edit any track) once it is free.
      await api.runtime.ports.db
        .update(schema.trackUploads)
        .set({ status: "failed" })
        .where(eq(schema.trackUploads.id, first.body.upload.id));
      const admin = await registerUser(api);
      const adminToken = await promoteToAdmin(api, admin);
      const byAdmin = await replace(trackId, body, adminToken.accessToken);
      expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(201);
    });

    it("an artist demoted to listener can no longer replace the audio of their tracks (403)", async () => {
      const demoted = await registerArtist(api, "Demoted Band");
      const { trackId } = await uploadTrack(
        "alarm-3.mp3",
        ALARM,
        "audio/mpeg",
        demoted.accessToken,
      );
      const body = { filename: "new.ogg", contentType: "audio/ogg" };
      await api.runtime.ports.db
        .update(schema.users)
        .set({ role: "user" })
        .where(eq(schema.users.id, demoted.user.id));
      const refreshed = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: demoted.refreshToken },
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.user.role).toBe("user");
      const res = await replace(trackId, body, refreshed.body.accessToken);
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body.code).toBe("artist_role_required");
      expect(await streamBytes(trackId)).toEqual(ALARM);
    });

    it("documents the route in OpenAPI", async () => {
      const doc = (await (await api.app.request("/openapi.json")).json()) as Json;
      const op = doc.paths["/api/v1/tracks/{id}/audio"]?.post;
      expect(op).toBeDefined();
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining(["201", "403", "404", "409"]),
      );
      expect(doc.components.schemas.Upload.properties.replacesTrackId).toBeDefined();
    });
  },
);
