import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect } from "vitest";
import { schema } from "@jonquils/core";
import {
  registerArtist,
  registerUser,
  startTestApi,
  type TestApi,
  type TestResponse,
} from "@jonquils/local/testing/harness";

/**
 * Shared setup of the playlist suites: one API per file, an artist's six tracks t[0]..t[5]
 * (durations 1000..6000 ms), two listeners (`owner`, `other`) and the playlist helpers.
 */

export type Session = Awaited<ReturnType<typeof registerUser>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
export type Json = any;

export interface PlaylistFixture {
  api: TestApi;
  artist: Awaited<ReturnType<typeof registerArtist>>;
  /** Six tracks t[0]..t[5], durations 1000..6000 ms. */
  t: Json[];
  owner: Session;
  other: Session;
}

export interface PlaylistSuite {
  /** The fixture; set once the suite's beforeAll ran. */
  readonly fixture: PlaylistFixture;
  create: (session: Session, body?: Record<string, unknown>) => Promise<Json>;
  add: (session: Session, id: string, trackId: string, position?: number) => Promise<TestResponse>;
  get: (id: string, session?: Session) => Promise<TestResponse>;
  /** The track ids in playlist order, after asserting positions are exactly 0..n-1 in the API and in the table. */
  order: (id: string, session?: Session) => Promise<string[]>;
  idsOf: (...indexes: number[]) => string[];
}

/** Registers the hooks that start (and close) this file's API; call inside `describe.each(wirings())`. */
export function playlistSuite(wiring: Parameters<typeof startTestApi>[0]): PlaylistSuite {
  let fixture: PlaylistFixture | undefined;
  const started = () => {
    if (!fixture) throw new Error("the playlist suite's API is not started yet");
    return fixture;
  };
  beforeAll(async () => {
    const api = await startTestApi(wiring);
    const artist = await registerArtist(api);
    const t: Json[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { title: `Song ${i}`, durationMs: (i + 1) * 1000 },
      });
      expect(res.status).toBe(201);
      t.push(res.body);
    }
    const owner = await registerUser(api);
    const other = await registerUser(api);
    fixture = { api, artist, t, owner, other };
  });
  afterAll(() => fixture?.api.close());

  const get = (id: string, session?: Session) =>
    started().api.request(
      "GET",
      `/api/v1/playlists/${id}`,
      session ? { token: session.accessToken } : {},
    );

  return {
    get fixture() {
      return started();
    },
    async create(session, body = {}) {
      const res = await started().api.request("POST", "/api/v1/playlists", {
        token: session.accessToken,
        body: { title: "Mix", ...body },
      });
      if (res.status !== 201)
        throw new Error(`create playlist failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    add: (session, id, trackId, position) =>
      started().api.request("POST", `/api/v1/playlists/${id}/tracks`, {
        token: session.accessToken,
        body: { trackId, ...(position === undefined ? {} : { position }) },
      }),
    get,
    async order(id, session = started().owner) {
      const res = await get(id, session);
      expect(res.status).toBe(200);
      const positions = res.body.tracks.map((e: Json) => e.position);
      expect(positions).toEqual(positions.map((_: number, i: number) => i));
      expect(res.body.trackCount).toBe(res.body.tracks.length);
      const rows = await started()
        .api.runtime.ports.db.select({
          position: schema.playlistTracks.position,
          trackId: schema.playlistTracks.trackId,
        })
        .from(schema.playlistTracks)
        .where(eq(schema.playlistTracks.playlistId, id))
        .orderBy(asc(schema.playlistTracks.position));
      expect(rows.map((r) => r.position)).toEqual(rows.map((_, i) => i));
      const ids: string[] = res.body.tracks.map((e: Json) => e.track.id);
      expect(rows.map((r) => r.trackId)).toEqual(ids);
      return ids;
    },
    idsOf: (...indexes) => indexes.map((i) => started().t[i].id),
  };
}
