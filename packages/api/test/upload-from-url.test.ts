import { beforeAll, describe, expect, it } from "vitest";
import { wirings, type TestApiWithStorage } from "@jonquils/local/testing/harness";
import {
  audioServer,
  MP3,
  uploadSuite,
  type ArtistSession,
  type UploadFixture,
} from "./support/uploads";

const audio = audioServer();

/** URL imports: download, SSRF guard, non-audio refused, a per-artist concurrency limit. */
describe.each(wirings())("upload from URL ($name)", (wiring) => {
  const suite = uploadSuite(wiring, () => ({
    uploadOptions: {
      fetchOptions: {
        allowNetworks: ["127.0.0.1/32"],
        allowedPorts: [audio.port],
        timeoutMs: 5000,
      },
    },
  }));
  let api: TestApiWithStorage;
  let artist: ArtistSession;
  let otherArtist: ArtistSession;
  let listener: UploadFixture["listener"];
  beforeAll(() => {
    ({ api, artist, otherArtist, listener } = suite.fixture);
  });

  describe("POST /api/v1/tracks/upload-from-url", () => {
    it("downloads audio, stores it under the artist's prefix and announces it", async () => {
      const eventsBefore = api.events.length;
      const res = await api.request("POST", "/api/v1/tracks/upload-from-url/", {
        token: artist.accessToken,
        body: { url: `${audio.base}/remote%20song.mp3` },
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
        [artist.accessToken, `${audio.base}/page`, 415, "not_audio"],
        [artist.accessToken, `${audio.base}/missing.mp3`, 422, "fetch_failed"],
        [listener.accessToken, `${audio.base}/remote%20song.mp3`, 403, "artist_role_required"],
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
        body: { url: `${audio.base}/held` },
      });
    const first = [post(), post()];
    while (audio.held.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const third = await post();
    expect(third.status).toBe(429);
    expect(third.body.code).toBe("too_many_imports");
    expect(third.headers.get("retry-after")).toBe("10");
    for (const h of audio.held.splice(0)) h.end(MP3);
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([202, 202]);
    // Slots are given back.
    const again = post();
    while (audio.held.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    audio.held.splice(0)[0]!.end(MP3);
    expect((await again).status).toBe(202);
  });
});
