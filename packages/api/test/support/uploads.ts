import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import {
  registerArtist,
  registerUser,
  startTestApi,
  type TestApiOptions,
  type TestApiWithStorage,
  type TestResponse,
} from "@jonquils/local/testing/harness";

/**
 * Shared setup of the upload suites (presigned uploads, the uploads list, URL imports,
 * streaming): one API with its disk store per file, two artists and a listener.
 */

export type ArtistSession = Awaited<ReturnType<typeof registerArtist>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
export type Json = any;

/** A real recording (Debian's sound-theme-freedesktop, see the pipeline's corpus): imports must be audio. */
export const MP3 = readFileSync(
  new URL("../../../pipeline/test/fixtures/corpus/alarm.mp3", import.meta.url),
);
export const CAP = 200 * 1024 * 1024;

export interface UploadFixture {
  api: TestApiWithStorage;
  artist: ArtistSession;
  otherArtist: ArtistSession;
  listener: { accessToken: string };
}

export interface UploadSuite {
  /** The fixture; set once the suite's beforeAll ran. */
  readonly fixture: UploadFixture;
  requestUpload: (token: string, body: unknown, path?: string) => Promise<TestResponse>;
  /** Sends the file with the presigned POST's fields to the local store, as a browser does. */
  uploadFile: (presigned: Json, bytes: Uint8Array) => Promise<Response>;
}

/**
 * Registers the hooks that start (and close) this file's API; call inside
 * `describe.each(wirings())`. `options` is read when the API starts (after file-level hooks).
 */
export function uploadSuite(
  wiring: Parameters<typeof startTestApi>[0],
  options: () => TestApiOptions = () => ({}),
): UploadSuite {
  let fixture: UploadFixture | undefined;
  const started = () => {
    if (!fixture) throw new Error("the upload suite's API is not started yet");
    return fixture;
  };
  beforeAll(async () => {
    const api = await startTestApi(wiring, {}, options());
    const artist = await registerArtist(api, "Uploader");
    const otherArtist = await registerArtist(api, "Someone Else");
    const listener = await registerUser(api);
    fixture = { api, artist, otherArtist, listener };
  });
  afterAll(() => fixture?.api.close());

  return {
    get fixture() {
      return started();
    },
    requestUpload: (token, body, path = "/api/v1/tracks/upload") =>
      started().api.request("POST", path, { token, body }),
    uploadFile(presigned, bytes) {
      const form = new FormData();
      for (const [k, v] of Object.entries(presigned.fields as Record<string, string>))
        form.append(k, v);
      form.append(presigned.fileField, new Blob([bytes], { type: "audio/mpeg" }), "song.mp3");
      return started().api.fetchUrl(presigned.url, { method: "POST", body: form });
    },
  };
}

export interface AudioServer {
  base: string;
  port: number;
  /** Requests to /held wait here until a test answers them. */
  held: { end(body: Buffer): void }[];
}

/**
 * A loopback server the URL import downloads from (registers file-level hooks): the MP3 at
 * `/remote song.mp3`, an HTML page at `/page`, requests to `/held` answered by the test.
 */
export function audioServer(): AudioServer {
  let server: Server;
  const state: AudioServer = { base: "", port: 0, held: [] };
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/remote song.mp3" || req.url === "/remote%20song.mp3") {
        res.writeHead(200, { "content-type": "audio/mpeg" });
        return res.end(MP3);
      }
      if (req.url === "/held") {
        state.held.push({
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
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    state.port = (server.address() as AddressInfo).port;
    state.base = `http://127.0.0.1:${state.port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return state;
}
