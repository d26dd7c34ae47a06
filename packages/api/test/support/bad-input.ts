import { afterAll, beforeAll, expect } from "vitest";
import {
  registerArtist,
  registerUser,
  startTestApi,
  type TestApi,
  type TestResponse,
} from "@jonquils/local/testing/harness";

/**
 * Shared setup of the bad-input suites (hostile and careless input: every refusal is an RFC 9457
 * problem with a stable code, and nothing a client sends may turn into a 500): one API per file,
 * an artist with one track, a user with one playlist.
 */

export interface BadInputFixture {
  api: TestApi;
  artist: Awaited<ReturnType<typeof registerArtist>>;
  user: Awaited<ReturnType<typeof registerUser>>;
  trackId: string;
  playlistId: string;
}

export interface BadInputSuite {
  /** The fixture; set once the suite's beforeAll ran. */
  readonly fixture: BadInputFixture;
  /** Sends a raw string body with the given content type. */
  raw: (
    method: string,
    path: string,
    body: string,
    token?: string,
    contentType?: string,
  ) => Promise<TestResponse>;
}

/** Registers the hooks that start (and close) this file's API; call inside `describe.each(wirings())`. */
export function badInputSuite(wiring: Parameters<typeof startTestApi>[0]): BadInputSuite {
  let fixture: BadInputFixture | undefined;
  const started = () => {
    if (!fixture) throw new Error("the bad-input suite's API is not started yet");
    return fixture;
  };
  beforeAll(async () => {
    const api = await startTestApi(wiring);
    const artist = await registerArtist(api);
    const user = await registerUser(api);
    const t = await api.request("POST", "/api/v1/tracks", {
      token: artist.accessToken,
      body: { title: "Fixture", durationMs: 1000 },
    });
    expect(t.status).toBe(201);
    const p = await api.request("POST", "/api/v1/playlists", {
      token: user.accessToken,
      body: { title: "Fixture list" },
    });
    expect(p.status).toBe(201);
    fixture = { api, artist, user, trackId: t.body.id, playlistId: p.body.id };
  });
  afterAll(() => fixture?.api.close());

  return {
    get fixture() {
      return started();
    },
    raw: (method, path, body, token, contentType = "application/json") =>
      started().api.request(method, path, {
        body,
        headers: { "content-type": contentType },
        ...(token ? { token } : {}),
      }),
  };
}
