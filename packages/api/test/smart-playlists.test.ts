import { beforeAll, describe, expect, it } from "vitest";
import { wirings, type TestApiWithStorage } from "@jonquils/local/testing/harness";
import { librarySuite, type Json, type LibraryFixture, type Session } from "./support/library";

/** Smart playlists evaluated live over features, likes and ratings; more like this. */
describe.each(wirings())("smart playlists and similar ($name)", (wiring) => {
  const suite = librarySuite(wiring);
  let api: TestApiWithStorage;
  let artist: LibraryFixture["artist"];
  let user: Session;
  let other: Session;
  let genres: Json[];
  let t: Json[];
  beforeAll(() => {
    ({ api, artist, user, other, genres, t } = suite.fixture);
  });
  // The listener's library as the likes and ratings suite (library.test.ts) leaves it:
  // t0 liked, t1 rated 5, t2 rated 3.
  beforeAll(async () => {
    const token = user.accessToken;
    const writes: [string, unknown][] = [
      [`/api/v1/tracks/${t[0].id}/like`, undefined],
      [`/api/v1/tracks/${t[1].id}/rating`, { rating: 5 }],
      [`/api/v1/tracks/${t[2].id}/rating`, { rating: 3 }],
    ];
    for (const [path, body] of writes) {
      const res = await api.request("PUT", path, { token, ...(body ? { body } : {}) });
      if (res.status !== 200) throw new Error(`PUT ${path}: ${res.status}`);
    }
  });

  it("evaluates smart playlists live over features, liked and rating", async () => {
    const token = user.accessToken;
    const create = await api.request("POST", "/api/v1/smart-playlists", {
      token,
      body: {
        title: "Upbeat",
        rules: { tempo: { min: 110 }, energy: { min: 0.7 }, genres: [genres[0].slug] },
        sort: "title",
      },
    });
    expect(create.status).toBe(201);
    const id = create.body.id;
    const tracks = await api.request("GET", `/api/v1/smart-playlists/${id}/tracks`, { token });
    expect(tracks.body.items.map((x: Json) => x.title)).toEqual(["Near A", "Near B"]);
    // Live: a new matching track appears without touching the playlist.
    const added = await api.request("POST", "/api/v1/tracks", {
      token: artist.accessToken,
      body: { title: "A New One", tempo: 130, energy: 0.9, genreId: genres[0].id },
    });
    const again = await api.request("GET", `/api/v1/smart-playlists/${id}/tracks`, { token });
    expect(again.body.items.map((x: Json) => x.title)).toEqual(["A New One", "Near A", "Near B"]);
    await api.request("DELETE", `/api/v1/tracks/${added.body.id}`, { token: artist.accessToken });
    // liked + rating rules are the owner's.
    const mine = await api.request("POST", "/api/v1/smart-playlists", {
      token,
      body: { title: "Loved", rules: { liked: true } },
    });
    const loved = await api.request("GET", `/api/v1/smart-playlists/${mine.body.id}/tracks`, {
      token,
    });
    expect(loved.body.items.map((x: Json) => x.title)).toEqual(["Near A"]);
    const rated = await api.request("PATCH", `/api/v1/smart-playlists/${mine.body.id}`, {
      token,
      body: { rules: { rating: { min: 5 } } },
    });
    expect(rated.status).toBe(200);
    const five = await api.request("GET", `/api/v1/smart-playlists/${mine.body.id}/tracks`, {
      token,
    });
    expect(five.body.items.map((x: Json) => x.title)).toEqual(["Near B"]);
    // Private: others get 404; bad rules are 400.
    expect(
      (await api.request("GET", `/api/v1/smart-playlists/${id}`, { token: other.accessToken }))
        .status,
    ).toBe(404);
    const bad = await api.request("POST", "/api/v1/smart-playlists", {
      token,
      body: { title: "x", rules: { tempo: { min: 200, max: 100 } } },
    });
    expect(bad.status).toBe(400);
    const unknownRule = await api.request("POST", "/api/v1/smart-playlists", {
      token,
      body: { title: "x", rules: { mood: "happy" } },
    });
    expect(unknownRule.status).toBe(400);
    expect(
      (await api.request("DELETE", `/api/v1/smart-playlists/${id}`, { token: other.accessToken }))
        .status,
    ).toBe(404);
    expect((await api.request("DELETE", `/api/v1/smart-playlists/${id}`, { token })).status).toBe(
      204,
    );
  });

  it("more like this: nearest in features first, farthest last", async () => {
    const res = await api.request("GET", `/api/v1/tracks/${t[0].id}/similar?limit=5`);
    expect(res.status).toBe(200);
    const titles = res.body.items.map((x: Json) => x.track.title);
    expect(titles[0]).toBe("Near B");
    expect(titles.at(-1)).toBe("Far");
    expect(titles).not.toContain("Near A");
    expect(res.body.items[0].similarity).toBeGreaterThan(res.body.items.at(-1).similarity);
    expect((await api.request("GET", `/api/v1/tracks/${crypto.randomUUID()}/similar`)).status).toBe(
      404,
    );
  });
});
