import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import {
  registerArtist,
  registerUser,
  startTestApi,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";

/**
 * Shared setup of the library suites (likes, ratings, play queue, smart playlists, similar,
 * app passwords and API keys, export): one API per file with its own DATA_DIR, an artist, two
 * listeners and six tracks with features — t0 ≈ t1 (rock, ~120 BPM, loud, happy), t5 far away
 * (other genre, slow, quiet, sad).
 */

export type Session = Awaited<ReturnType<typeof registerUser>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
export type Json = any;

export interface LibraryFixture {
  api: TestApiWithStorage;
  dataDir: string;
  artist: Awaited<ReturnType<typeof registerArtist>>;
  user: Session;
  other: Session;
  genres: Json[];
  /** t[0..5]: t0 ≈ t1 (rock, ~120 BPM, loud, happy), t5 far away (other genre, slow, quiet, sad). */
  t: Json[];
}

/** Registers the hooks that start (and close) this file's API; call inside `describe.each(wirings())`. */
export function librarySuite(wiring: Parameters<typeof startTestApi>[0]): {
  readonly fixture: LibraryFixture;
} {
  let fixture: LibraryFixture | undefined;
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "jq-library-"));
    const api = await startTestApi(wiring, { DATA_DIR: dataDir });
    const artist = await registerArtist(api);
    const user = await registerUser(api);
    const other = await registerUser(api);
    const genres: Json[] =
      (await api.request("GET", "/api/v1/genres")).body.items ??
      (await api.request("GET", "/api/v1/genres")).body;
    const [g1, g2] = [genres[0], genres[1]];
    const specs = [
      {
        title: "Near A",
        tempo: 120,
        energy: 0.8,
        valence: 0.7,
        loudness: -8,
        genreId: g1.id,
        year: 2020,
      },
      {
        title: "Near B",
        tempo: 122,
        energy: 0.78,
        valence: 0.72,
        loudness: -8.5,
        genreId: g1.id,
        year: 2021,
      },
      {
        title: "Middle",
        tempo: 100,
        energy: 0.5,
        valence: 0.5,
        loudness: -14,
        genreId: g1.id,
        year: 2010,
      },
      {
        title: "Mid-far",
        tempo: 90,
        energy: 0.4,
        valence: 0.4,
        loudness: -18,
        genreId: g2.id,
        year: 2001,
      },
      {
        title: "Far-ish",
        tempo: 75,
        energy: 0.2,
        valence: 0.25,
        loudness: -24,
        genreId: g2.id,
        year: 1995,
      },
      {
        title: "Far",
        tempo: 60,
        energy: 0.1,
        valence: 0.1,
        loudness: -30,
        genreId: g2.id,
        year: 1990,
      },
    ];
    const t: Json[] = [];
    for (const s of specs) {
      const res = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { ...s, durationMs: 180_000 },
      });
      expect(res.status).toBe(201);
      t.push(res.body);
    }
    fixture = { api, dataDir, artist, user, other, genres, t };
  });
  afterAll(async () => {
    if (!fixture) return;
    await fixture.api.close();
    await rm(fixture.dataDir, { recursive: true, force: true });
  });
  return {
    get fixture() {
      if (!fixture) throw new Error("the library suite's API is not started yet");
      return fixture;
    },
  };
}
