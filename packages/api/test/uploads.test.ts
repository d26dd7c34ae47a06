import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import {
  promoteToAdmin,
  registerUser,
  wirings,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import {
  CAP,
  MP3,
  uploadSuite,
  type ArtistSession,
  type Json,
  type UploadFixture,
} from "./support/uploads";

/** Presigned uploads over HTTP (who may, where the file goes, bad input) and the uploads list. */
describe.each(wirings())("uploads ($name)", (wiring) => {
  const suite = uploadSuite(wiring);
  const { requestUpload, uploadFile } = suite;
  let api: TestApiWithStorage;
  let artist: ArtistSession;
  let otherArtist: ArtistSession;
  let listener: UploadFixture["listener"];
  beforeAll(() => {
    ({ api, artist, otherArtist, listener } = suite.fixture);
  });

  describe("POST /api/v1/tracks/upload", () => {
    it("needs a signed-in artist", async () => {
      const anonymous = await api.request("POST", "/api/v1/tracks/upload", {
        body: { filename: "a.mp3", contentType: "audio/mpeg" },
      });
      expect(anonymous.status).toBe(401);
      const plain = await requestUpload(listener.accessToken, {
        filename: "a.mp3",
        contentType: "audio/mpeg",
      });
      expect(plain.status).toBe(403);
      expect(plain.headers.get("content-type")).toBe("application/problem+json");
      expect(plain.body.code).toBe("artist_role_required");
    });

    it("gives an artist a presigned POST under their prefix: 15 minutes, 200 MB, audio only", async () => {
      const before = Date.now();
      const res = await requestUpload(artist.accessToken, {
        filename: "My Song.mp3",
        contentType: "audio/mpeg",
        size: MP3.length,
      });
      expect(res.status).toBe(201);
      const { upload, presigned } = res.body;
      expect(upload).toMatchObject({
        status: "pending",
        filename: "My Song.mp3",
        contentType: "audio/mpeg",
        sizeBytes: MP3.length,
        source: "direct",
        trackId: null,
        failureReason: null,
      });
      expect(upload.key).toBe(`u/${artist.user.id}/${upload.id}/My_Song.mp3`);
      expect(res.headers.get("location")).toBe(`/api/v1/uploads/${upload.id}`);
      expect(presigned).toMatchObject({
        method: "POST",
        url: "http://localhost:8000/storage/upload",
        fileField: "file",
        maxBytes: CAP,
      });
      expect(presigned.fields.key).toBe(upload.key);
      expect(presigned.fields["Content-Type"]).toBe("audio/mpeg");
      const ttl = Date.parse(presigned.expiresAt) - before;
      expect(ttl).toBeGreaterThan(14 * 60 * 1000);
      expect(ttl).toBeLessThanOrEqual(15 * 60 * 1000 + 1000);
    });

    it("accepts the multipart POST to the local store and announces the object once", async () => {
      const res = await requestUpload(artist.accessToken, {
        filename: "direct.mp3",
        contentType: "audio/mpeg",
      });
      const { upload, presigned } = res.body;
      const eventsBefore = api.events.length;
      const posted = await uploadFile(presigned, MP3);
      expect(posted.status).toBe(204);
      const events = api.events.slice(eventsBefore);
      expect(events).toEqual([
        { bucket: "tracks", key: upload.key, size: MP3.length, etag: expect.any(String) },
      ]);
      expect(await api.store.get("tracks", upload.key)).toEqual(new Uint8Array(MP3));
      // The same form with another key is refused.
      const tampered = await uploadFile(
        { ...presigned, fields: { ...presigned.fields, key: `u/${otherArtist.user.id}/x/y.mp3` } },
        MP3,
      );
      expect(tampered.status).toBe(403);
    });

    it("answers on the trailing-slash path too", async () => {
      const res = await requestUpload(
        artist.accessToken,
        { filename: "slash.flac", contentType: "audio/flac" },
        "/api/v1/tracks/upload/",
      );
      expect(res.status).toBe(201);
    });

    it("keeps a hostile file name inside the artist's prefix", async () => {
      const res = await requestUpload(artist.accessToken, {
        filename: "../../../u/other/évil\\name.mp3",
        contentType: "audio/mpeg",
      });
      expect(res.status).toBe(201);
      // Both separators count (a Windows path names its file last too).
      expect(res.body.upload.key).toBe(`u/${artist.user.id}/${res.body.upload.id}/name.mp3`);
      const unicode = await requestUpload(artist.accessToken, {
        filename: "../Ærø — 音楽 .mp3",
        contentType: "audio/mpeg",
      });
      expect(unicode.body.upload.key).toBe(`u/${artist.user.id}/${unicode.body.upload.id}/r.mp3`);
    });

    it("refuses bad input with problem+json", async () => {
      const cases: [unknown, number, string][] = [
        [{ contentType: "audio/mpeg" }, 400, "validation_failed"],
        [{ filename: "", contentType: "audio/mpeg" }, 400, "validation_failed"],
        [{ filename: "a.mp3" }, 400, "validation_failed"],
        [{ filename: "a.mp3", contentType: "not a type" }, 400, "validation_failed"],
        [{ filename: "a.mp3", contentType: "audio/mpeg", size: -1 }, 400, "validation_failed"],
        [{ filename: "x".repeat(300), contentType: "audio/mpeg" }, 400, "validation_failed"],
        [{ filename: "a.html", contentType: "text/html" }, 415, "not_audio"],
        [{ filename: "a.mp3", contentType: "audio/mpeg", size: CAP + 1 }, 413, "too_large"],
        ["{not json", 400, "malformed_json"],
      ];
      for (const [body, status, code] of cases) {
        const res = await requestUpload(artist.accessToken, body);
        expect(res.status, JSON.stringify(body)).toBe(status);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        expect(res.body.code).toBe(code);
      }
    });
  });

  describe("GET /api/v1/uploads", () => {
    let mine: Json;
    beforeAll(async () => {
      mine = (
        await requestUpload(otherArtist.accessToken, {
          filename: "one.ogg",
          contentType: "audio/ogg",
        })
      ).body.upload;
    });

    it("shows an upload to its owner and an admin, and 404 to anyone else", async () => {
      const own = await api.request("GET", `/api/v1/uploads/${mine.id}`, {
        token: otherArtist.accessToken,
      });
      expect(own.status).toBe(200);
      expect(own.body).toEqual(mine);
      const other = await api.request("GET", `/api/v1/uploads/${mine.id}`, {
        token: artist.accessToken,
      });
      expect(other.status).toBe(404);
      expect(other.body.code).toBe("upload_not_found");
      const anonymous = await api.request("GET", `/api/v1/uploads/${mine.id}`);
      expect(anonymous.status).toBe(401);
      const adminSession = await registerUser(api);
      const admin = await promoteToAdmin(api, adminSession);
      const byAdmin = await api.request("GET", `/api/v1/uploads/${mine.id}`, {
        token: admin.accessToken,
      });
      expect(byAdmin.status).toBe(200);
      const bad = await api.request("GET", "/api/v1/uploads/not-a-uuid", {
        token: otherArtist.accessToken,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe("validation_failed");
    });

    it("reports the pipeline's progress: done with the track, failed with the reason", async () => {
      const track = await api.request("POST", "/api/v1/tracks", {
        token: otherArtist.accessToken,
        body: { title: "From the pipeline" },
      });
      await api.runtime.ports.db
        .update(schema.trackUploads)
        .set({ status: "done", trackId: track.body.id })
        .where(eq(schema.trackUploads.id, mine.id));
      const done = await api.request("GET", `/api/v1/uploads/${mine.id}`, {
        token: otherArtist.accessToken,
      });
      expect(done.body).toMatchObject({ status: "done", trackId: track.body.id });
      const failing = (
        await requestUpload(otherArtist.accessToken, {
          filename: "bad.mp3",
          contentType: "audio/mpeg",
        })
      ).body.upload;
      await api.runtime.ports.db
        .update(schema.trackUploads)
        .set({ status: "failed", failureReason: "The file is not a readable audio file." })
        .where(eq(schema.trackUploads.id, failing.id));
      const failed = await api.request("GET", `/api/v1/uploads/${failing.id}`, {
        token: otherArtist.accessToken,
      });
      expect(failed.body).toMatchObject({
        status: "failed",
        failureReason: "The file is not a readable audio file.",
      });
    });

    it("lists only my uploads, newest first, filterable by status", async () => {
      const list = await api.request("GET", "/api/v1/uploads?limit=50", {
        token: otherArtist.accessToken,
      });
      expect(list.status).toBe(200);
      expect(list.body.items.map((u: Json) => u.filename)).toEqual(["bad.mp3", "one.ogg"]);
      expect(list.body.nextOffset).toBeNull();
      const failed = await api.request("GET", "/api/v1/uploads?status=failed", {
        token: otherArtist.accessToken,
      });
      expect(failed.body.items.map((u: Json) => u.filename)).toEqual(["bad.mp3"]);
      const someoneElse = await api.request("GET", "/api/v1/uploads", {
        token: listener.accessToken,
      });
      expect(someoneElse.body.items).toEqual([]);
      const page = await api.request("GET", "/api/v1/uploads?limit=1", {
        token: otherArtist.accessToken,
      });
      expect(page.body).toMatchObject({ limit: 1, offset: 0, nextOffset: 1 });
      const badStatus = await api.request("GET", "/api/v1/uploads?status=lost", {
        token: otherArtist.accessToken,
      });
      expect(badStatus.status).toBe(400);
    });
  });

  it("documents the upload routes in OpenAPI", async () => {
    const res = await api.request("GET", "/openapi.json");
    const paths = Object.keys(res.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/v1/uploads",
        "/api/v1/uploads/{id}",
        "/api/v1/tracks/upload",
        "/api/v1/tracks/upload-from-url",
        "/api/v1/tracks/{id}/stream",
      ]),
    );
    expect(paths).not.toContain("/api/v1/tracks/upload/");
  });
});
