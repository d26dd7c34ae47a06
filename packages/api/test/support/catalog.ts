import { eq } from "drizzle-orm";
import { afterAll, beforeAll } from "vitest";
import { schema } from "@jonquils/core";
import {
  startTestApi,
  type promoteToAdmin,
  type registerArtist,
  type TestApi,
  type TestApiOptions,
} from "@jonquils/local/testing/harness";

/**
 * Shared setup of the catalog suites (tracks, artists, albums, genres, authorization, cache,
 * audit): one API per test file (its own database, so files run in parallel), the seeded
 * genres, and the fixtures' create helpers.
 */

export type AdminSession = Awaited<ReturnType<typeof promoteToAdmin>>;
export type ArtistSession = Awaited<ReturnType<typeof registerArtist>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
export type Json = any;

export const titles = (page: Json): string[] => page.items.map((t: Json) => t.title);
export const ids = (page: Json): string[] => page.items.map((t: Json) => t.id);

export interface CatalogSuite {
  /** The API of this file; set once the suite's beforeAll ran. */
  readonly api: TestApi;
  genreId: (slug: string) => number;
  createTrack: (token: string, body: Record<string, unknown>) => Promise<Json>;
  createAlbum: (token: string, body: Record<string, unknown>) => Promise<Json>;
  /** Sets popularity directly, as the analytics job does. Call before the first cached read of a list. */
  setPopularity: (id: string, popularity: number) => Promise<void>;
}

/** Registers the hooks that start (and close) this file's API; call inside `describe.each(wirings())`. */
export function catalogSuite(
  wiring: Parameters<typeof startTestApi>[0],
  overrides?: Record<string, string>,
  options?: TestApiOptions,
): CatalogSuite {
  let api: TestApi | undefined;
  let genres = new Map<string, number>();
  const started = () => {
    if (!api) throw new Error("the catalog suite's API is not started yet (use it inside a test)");
    return api;
  };
  beforeAll(async () => {
    api = await startTestApi(wiring, overrides, options);
    const res = await api.request("GET", "/api/v1/genres");
    genres = new Map(res.body.items.map((g: Json) => [g.slug, g.id]));
  });
  afterAll(() => api?.close());

  async function post(path: string, what: string, token: string, body: Record<string, unknown>) {
    const res = await started().request("POST", path, { token, body });
    if (res.status !== 201)
      throw new Error(`create ${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  return {
    get api() {
      return started();
    },
    genreId(slug) {
      const id = genres.get(slug);
      if (id === undefined) throw new Error(`no genre ${slug}`);
      return id;
    },
    createTrack: (token, body) => post("/api/v1/tracks", "track", token, body),
    createAlbum: (token, body) => post("/api/v1/albums", "album", token, body),
    async setPopularity(id, popularity) {
      await started()
        .runtime.ports.db.update(schema.tracks)
        .set({ popularity })
        .where(eq(schema.tracks.id, id));
    },
  };
}
