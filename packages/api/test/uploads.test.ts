import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import {
  promoteToAdmin,
  registerArtist,
  registerUser,
  startTestApi,
  wirings,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";

type ArtistSession = Awaited<ReturnType<typeof registerArtist>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;

/** A real recording (Debian's sound-theme-freedesktop, see the pipeline's corpus): imports must be audio. */
const MP3 = readFileSync(new URL("../../pipeline/test/fixtures/corpus/alarm.mp3", import.meta.url));
const CAP = 200 * 1024 * 1024;

let audioServer: Server;
/** Requests to /held wait here until a test answers them. */
const held: { end(body: Buffer): void }[] = [];
let audioBase: string;
let audioPort: number;

beforeAll(async () => {
  audioServer = createServer((req, res) => {
    if (req.url === "/remote song.mp3" || req.url === "/remote%20song.mp3") {
      res.writeHead(200, { "content-type": "audio/mpeg" });
      return res.end(MP3);
    }
    if (req.url === "/held") {
      held.push({
        end: (body) => {
          res.writeHead(200, { "content-type": "audio/mpeg" });
          res.end(body);
        },
      });
      return;
    }
    if (req.url === "/page") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<html>nope</html>");
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => audioServer.listen(0, "127.0.0.1", resolve));
  audioPort = (audioServer.address() as AddressInfo).port;
  audioBase = `http://127.0.0.1:${audioPort}`;
});
afterAll(() => new Promise<void>((resolve) => audioServer.close(() => resolve())));

describe.each(wirings())("uploads ($name)", (wiring) => {
  let api: TestApiWithStorage;
  let artist: ArtistSession;
  let otherArtist: ArtistSession;
  let listener: { accessToken: string };

  beforeAll(async () => {
    api = await startTestApi(
      wiring,
      {},
      {
        uploadOptions: {
          fetchOptions: {
            allowNetworks: ["127.0.0.1/32"],
            allowedPorts: [audioPort],
            timeoutMs: 5000,
          },
        },
      },
    );
    artist = await registerArtist(api, "Uploader");
    otherArtist = await registerArtist(api, "Someone Else");
    listener = await registerUser(api);
  });
  afterAll(() => api.close());

  const requestUpload = (token: string, body: unknown, path = "/api/v1/tracks/upload") =>
    api.request("POST", path, { token, body });

  async function uploadFile(presigned: Json, bytes: Uint8Array) {
    const form = new FormData();
    for (const [k, v] of Object.entries(presigned.fields as Record<string, string>))
      form.append(k, v);
    form.append(presigned.fileField, new Blob([bytes], { type: "audio/mpeg" }), "song.mp3");
    return api.fetchUrl(presigned.url, { method: "POST", body: form });
  }

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

  describe("POST /api/v1/tracks/upload-from-url", () => {
    it("downloads audio, stores it under the artist's prefix and announces it", async () => {
      const eventsBefore = api.events.length;
      const res = await api.request("POST", "/api/v1/tracks/upload-from-url/", {
        token: artist.accessToken,
        body: { url: `${audioBase}/remote%20song.mp3` },
      });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        status: "pending",
        source: "url",
        filename: "remote song.mp3",
        contentType: "audio/mpeg",
        sizeBytes: MP3.length,
      });
      expect(res.body.key).toBe(`u/${artist.user.id}/${res.body.id}/remote_song.mp3`);
      expect(await api.store.get("tracks", res.body.key)).toEqual(new Uint8Array(MP3));
      expect(api.events.slice(eventsBefore)).toEqual([
        expect.objectContaining({ bucket: "tracks", key: res.body.key, size: MP3.length }),
      ]);
      const got = await api.request("GET", `/api/v1/uploads/${res.body.id}`, {
        token: artist.accessToken,
      });
      expect(got.body.status).toBe("pending");
    });

    it("refuses private addresses, other schemes, non-audio and plain users", async () => {
      const cases: [string, string, number, string][] = [
        [artist.accessToken, "http://10.0.0.1/a.mp3", 422, "url_not_allowed"],
        [artist.accessToken, "http://169.254.169.254/latest/meta-data/", 422, "url_not_allowed"],
        [artist.accessToken, "http://[::1]/a.mp3", 422, "url_not_allowed"],
        [artist.accessToken, "file:///etc/passwd", 422, "url_not_allowed"],
        [artist.accessToken, `${audioBase}/page`, 415, "not_audio"],
        [artist.accessToken, `${audioBase}/missing.mp3`, 422, "fetch_failed"],
        [listener.accessToken, `${audioBase}/remote%20song.mp3`, 403, "artist_role_required"],
      ];
      for (const [token, url, status, code] of cases) {
        const res = await api.request("POST", "/api/v1/tracks/upload-from-url", {
          token,
          body: { url },
        });
        expect(res.status, url).toBe(status);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        expect(res.body.code).toBe(code);
      }
      const empty = await api.request("POST", "/api/v1/tracks/upload-from-url", {
        token: artist.accessToken,
        body: { url: "" },
      });
      expect(empty.status).toBe(400);
    });
  });

  it("limits how many downloads one artist runs at once (429, Retry-After)", async () => {
    const post = () =>
      api.request("POST", "/api/v1/tracks/upload-from-url", {
        token: otherArtist.accessToken,
        body: { url: `${audioBase}/held` },
      });
    const first = [post(), post()];
    while (held.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const third = await post();
    expect(third.status).toBe(429);
    expect(third.body.code).toBe("too_many_imports");
    expect(third.headers.get("retry-after")).toBe("10");
    for (const h of held.splice(0)) h.end(MP3);
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([202, 202]);
    // Slots are given back.
    const again = post();
    while (held.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    held.splice(0)[0]!.end(MP3);
    expect((await again).status).toBe(202);
  });

  describe("GET /api/v1/tracks/{id}/stream", () => {
    it("answers 404 for an unknown track and 409 for a track without audio", async () => {
      const unknown = await api.request(
        "GET",
        "/api/v1/tracks/00000000-0000-4000-8000-000000000000/stream",
      );
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe("track_not_found");
      const bare = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { title: "No file" },
      });
      const res = await api.request("GET", `/api/v1/tracks/${bare.body.id}/stream`);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("no_audio");
    });

    it("gives a short-lived URL that serves the audio with Range, or redirects to it", async () => {
      const { upload, presigned } = (
        await requestUpload(artist.accessToken, { filename: "play.mp3", contentType: "audio/mpeg" })
      ).body;
      expect((await uploadFile(presigned, MP3)).status).toBe(204);
      const track = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { title: "Playable" },
      });
      // What the pipeline's load step does.
      await api.runtime.ports.db
        .update(schema.tracks)
        .set({ filePath: upload.key, fileFormat: "mp3" })
        .where(eq(schema.tracks.id, track.body.id));

      const res = await api.request("GET", `/api/v1/tracks/${track.body.id}/stream`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const ttl = Date.parse(res.body.expiresAt) - Date.now();
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(15 * 60 * 1000);
      const full = await api.fetchUrl(res.body.url);
      expect(full.status).toBe(200);
      expect(full.headers.get("content-type")).toBe("audio/mpeg");
      expect(full.headers.get("accept-ranges")).toBe("bytes");
      const part = await api.fetchUrl(res.body.url, { headers: { range: "bytes=0-2" } });
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe(`bytes 0-2/${MP3.length}`);
      expect(Buffer.from(await part.arrayBuffer()).toString()).toBe("ID3");

      const redirect = await api.request(
        "GET",
        `/api/v1/tracks/${track.body.id}/stream?redirect=1`,
      );
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get("location")).toMatch(
        /^http:\/\/localhost:8000\/storage\/object\/tracks\//,
      );
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
