import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import { wirings, type TestApiWithStorage } from "@jonquils/local/testing/harness";
import { MP3, uploadSuite, type ArtistSession } from "./support/uploads";

/** GET /tracks/{id}/stream: a short-lived URL that serves the audio with Range. */
describe.each(wirings())("stream ($name)", (wiring) => {
  const suite = uploadSuite(wiring);
  const { requestUpload, uploadFile } = suite;
  let api: TestApiWithStorage;
  let artist: ArtistSession;
  beforeAll(() => {
    ({ api, artist } = suite.fixture);
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
});
