import {
  promoteToAdmin,
  registerUser,
  startTestApi,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const corpus = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/corpus/${name}`, import.meta.url)));

describe("albums are keyed by album artist, track artists kept per track", () => {
  let api: TestApiWithStorage;
  beforeAll(async () => {
    api = await startTestApi(
      { db: "pglite", redis: false },
      { INGEST_ANALYSE_AUDIO: "false" },
      { pipeline: true },
    );
  });
  afterAll(() => api.close());

  it("files a compilation's tracks (two track artists) in ONE album under Various Artists", async () => {
    const admin = await promoteToAdmin(api, await registerUser(api));
    const ids: string[] = [];
    for (const name of ["compilation-1.mp3", "compilation-2.mp3"]) {
      const bytes = corpus(name);
      const t = await api.request("POST", "/api/v1/tracks/upload", {
        token: admin.accessToken,
        body: { filename: name, contentType: "audio/mpeg", size: bytes.byteLength },
      });
      const form = new FormData();
      for (const [k, v] of Object.entries(t.body.presigned.fields as Record<string, string>))
        form.append(k, v);
      form.append("file", new Blob([bytes], { type: "audio/mpeg" }), name);
      expect(
        (await api.fetchUrl(t.body.presigned.url, { method: "POST", body: form })).status,
      ).toBe(204);
      ids.push(t.body.upload.id as string);
    }
    await Promise.all(api.executions);
    await api.pipeline!.drain();
    const tracks = [];
    for (const id of ids) {
      const up = (await api.request("GET", `/api/v1/uploads/${id}`, { token: admin.accessToken }))
        .body;
      expect(up.status).toBe("done");
      tracks.push((await api.request("GET", `/api/v1/tracks/${up.trackId}`)).body);
    }
    expect(tracks.map((t) => t.artist.name).sort()).toEqual(["Artist 1", "Artist 2"]);
    expect(new Set(tracks.map((t) => t.album.id)).size).toBe(1);
    const album = (await api.request("GET", `/api/v1/albums/${tracks[0].album.id}`)).body;
    expect(album.artist.name).toBe("Various Artists");
    expect(album.title).toBe("Sounds of Debian");
  });

  it("files tracks flagged as a compilation (no album artist tag) in ONE album under Various Artists", async () => {
    const admin = await promoteToAdmin(api, await registerUser(api));
    const ids: string[] = [];
    for (const name of ["compilation-flag-1.ogg", "compilation-flag-2.ogg"]) {
      const bytes = corpus(name);
      const t = await api.request("POST", "/api/v1/tracks/upload", {
        token: admin.accessToken,
        body: { filename: name, contentType: "audio/ogg", size: bytes.byteLength },
      });
      const form = new FormData();
      for (const [k, v] of Object.entries(t.body.presigned.fields as Record<string, string>))
        form.append(k, v);
      form.append("file", new Blob([bytes], { type: "audio/ogg" }), name);
      expect(
        (await api.fetchUrl(t.body.presigned.url, { method: "POST", body: form })).status,
      ).toBe(204);
      ids.push(t.body.upload.id as string);
    }
    await Promise.all(api.executions);
    await api.pipeline!.drain();
    const tracks = [];
    for (const id of ids) {
      const up = (await api.request("GET", `/api/v1/uploads/${id}`, { token: admin.accessToken }))
        .body;
      expect(up.status).toBe("done");
      tracks.push((await api.request("GET", `/api/v1/tracks/${up.trackId}`)).body);
    }
    expect(tracks.map((t) => t.artist.name).sort()).toEqual(["Flag Artist 1", "Flag Artist 2"]);
    expect(new Set(tracks.map((t) => t.album.id)).size).toBe(1);
    const album = (await api.request("GET", `/api/v1/albums/${tracks[0].album.id}`)).body;
    expect(album.artist.name).toBe("Various Artists");
    expect(album.title).toBe("Flagged Sounds");
  });
});
