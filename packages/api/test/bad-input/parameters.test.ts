import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { registerUser, wirings, type TestApi } from "@jonquils/local/testing/harness";
import { badInputSuite, type BadInputFixture } from "../support/bad-input";
import { expectFieldError, expectProblem } from "../support/problem";

/** Query and path parameters: pagination, filters, ids, values the database cannot hold. */
describe.each(wirings())("bad input: parameters and ids ($name)", (wiring) => {
  const suite = badInputSuite(wiring);
  let api: TestApi;
  let artist: BadInputFixture["artist"];
  let user: BadInputFixture["user"];
  let trackId: string;
  let playlistId: string;
  beforeAll(() => {
    ({ api, artist, user, trackId, playlistId } = suite.fixture);
  });

  describe("pagination parameters", () => {
    const bad = ["0", "-1", "101", "1000000000", "1e309", "2.5", "abc", ""];
    it.each(bad)("limit=%j → 400 on tracks, artists, albums and playlists", async (limit) => {
      const q = `limit=${encodeURIComponent(limit)}`;
      expectFieldError(await api.request("GET", `/api/v1/tracks?${q}`), "limit");
      expectFieldError(await api.request("GET", `/api/v1/artists?${q}`), "limit");
      expectFieldError(await api.request("GET", `/api/v1/albums?${q}`), "limit");
      expectFieldError(
        await api.request("GET", `/api/v1/playlists?${q}`, { token: user.accessToken }),
        "limit",
      );
    });

    it.each(["-1", "100001", "99999999999999999999", "1.5", "x"])(
      "offset=%j → 400",
      async (offset) => {
        expectFieldError(await api.request("GET", `/api/v1/tracks?offset=${offset}`), "offset");
        expectFieldError(
          await api.request("GET", `/api/v1/artists/${artist.artistId}/tracks?offset=${offset}`),
          "offset",
        );
      },
    );

    it("popular: limit 0 or over 100 → 400", async () => {
      expectFieldError(await api.request("GET", "/api/v1/tracks/popular?limit=0"), "limit");
      expectFieldError(await api.request("GET", "/api/v1/tracks/popular?limit=101"), "limit");
    });

    it("the edges 1 and 100 are accepted", async () => {
      for (const limit of [1, 100]) {
        const res = await api.request("GET", `/api/v1/tracks?limit=${limit}&offset=0`);
        expect(res.status).toBe(200);
        expect(res.body.limit).toBe(limit);
      }
    });

    it("bad filters: unknown sort, non-numeric genreId, year out of range, artistId not a UUID → 400", async () => {
      expectFieldError(await api.request("GET", "/api/v1/tracks?sort=random"), "sort");
      expectFieldError(await api.request("GET", "/api/v1/tracks?genreId=rock"), "genreId");
      expectFieldError(await api.request("GET", "/api/v1/tracks?year=1700"), "year");
      expectFieldError(await api.request("GET", "/api/v1/tracks?artistId=123"), "artistId");
      expectFieldError(await api.request("GET", "/api/v1/tracks?albumId=' or 1=1 --"), "albumId");
    });
  });

  describe("ids", () => {
    const notUuids = [
      "123",
      "not-a-uuid",
      "5f0c7f6e-8a4b-4b43-9a0e-0d7a9d1b2c3",
      "5f0c7f6e8a4b4b439a0e0d7a9d1b2c3d0",
      "'; drop table tracks; --",
    ];
    it.each(notUuids)("non-UUID id %j → 400, never a database error", async (id) => {
      const p = encodeURIComponent(id);
      expectFieldError(await api.request("GET", `/api/v1/tracks/${p}`), "id");
      expectFieldError(await api.request("GET", `/api/v1/artists/${p}`), "id");
      expectFieldError(await api.request("GET", `/api/v1/albums/${p}`), "id");
      expectFieldError(await api.request("GET", `/api/v1/playlists/${p}`), "id");
      expectFieldError(
        await api.request("DELETE", `/api/v1/tracks/${p}`, { token: artist.accessToken }),
        "id",
      );
      expectFieldError(
        await api.request("DELETE", `/api/v1/playlists/${playlistId}/tracks/${p}`, {
          token: user.accessToken,
        }),
        "trackId",
      );
    });

    it("unknown UUIDs → 404 with the entity's code", async () => {
      const id = randomUUID();
      expectProblem(await api.request("GET", `/api/v1/tracks/${id}`), 404, "track_not_found");
      expectProblem(
        await api.request("PATCH", `/api/v1/tracks/${id}`, {
          token: artist.accessToken,
          body: { title: "x" },
        }),
        404,
        "track_not_found",
      );
      expectProblem(
        await api.request("DELETE", `/api/v1/tracks/${id}`, { token: artist.accessToken }),
        404,
        "track_not_found",
      );
      expectProblem(await api.request("GET", `/api/v1/artists/${id}`), 404, "artist_not_found");
      expectProblem(
        await api.request("GET", `/api/v1/artists/${id}/tracks`),
        404,
        "artist_not_found",
      );
      expectProblem(
        await api.request("GET", `/api/v1/artists/${id}/albums`),
        404,
        "artist_not_found",
      );
      expectProblem(await api.request("GET", `/api/v1/albums/${id}`), 404, "album_not_found");
      expectProblem(await api.request("GET", `/api/v1/playlists/${id}`), 404, "playlist_not_found");
      expectProblem(
        await api.request("PUT", `/api/v1/playlists/${id}`, {
          token: user.accessToken,
          body: { title: "x" },
        }),
        404,
        "playlist_not_found",
      );
      expectProblem(
        await api.request("DELETE", `/api/v1/playlists/${id}`, { token: user.accessToken }),
        404,
        "playlist_not_found",
      );
      expectProblem(
        await api.request("POST", `/api/v1/playlists/${playlistId}/tracks`, {
          token: user.accessToken,
          body: { trackId: id },
        }),
        404,
        "track_not_found",
      );
      expectProblem(
        await api.request("DELETE", `/api/v1/playlists/${playlistId}/tracks/${id}`, {
          token: user.accessToken,
        }),
        404,
        "track_not_in_playlist",
      );
    });

    it("an unknown genre or album on a track → 422, not a database error", async () => {
      expectProblem(
        await api.request("POST", "/api/v1/tracks", {
          token: artist.accessToken,
          body: { title: "x", genreId: 99999 },
        }),
        422,
        "unknown_reference",
      );
      expectProblem(
        await api.request("POST", "/api/v1/tracks", {
          token: artist.accessToken,
          body: { title: "x", albumId: randomUUID() },
        }),
        422,
        "album_mismatch",
      );
    });
  });

  describe("numbers and text the database cannot hold", () => {
    it("a genreId beyond a 32-bit integer → 4xx, not 500", async () => {
      const huge = 2 ** 40;
      expectFieldError(
        await api.request("POST", "/api/v1/tracks", {
          token: artist.accessToken,
          body: { title: "x", genreId: huge },
        }),
        "genreId",
      );
      expectFieldError(
        await api.request("PATCH", `/api/v1/tracks/${trackId}`, {
          token: artist.accessToken,
          body: { genreId: huge },
        }),
        "genreId",
      );
      expectFieldError(await api.request("GET", `/api/v1/tracks?genreId=${huge}`), "genreId");
    });

    it("a NUL character in text (body or query) → 400, not 500", async () => {
      expectProblem(
        await api.request("POST", "/api/v1/tracks", {
          token: artist.accessToken,
          body: { title: "a\u0000b" },
        }),
        400,
      );
      expectProblem(
        await api.request("POST", "/api/v1/playlists", {
          token: user.accessToken,
          body: { title: "ok", description: "x\u0000" },
        }),
        400,
      );
      expectProblem(
        await api.request("POST", "/api/v1/auth/login", {
          body: { login: "a\u0000b", password: "whatever" },
        }),
        400,
      );
      expectProblem(await api.request("GET", "/api/v1/artists?q=a%00b"), 400);
      expectProblem(await api.request("GET", "/api/v1/tracks?genre=a%00b"), 400);
    });

    it("text that grows under Unicode normalisation past the column → 4xx, not 500", async () => {
      // U+FDFA is one code unit that NFKC expands to 18; U+0958 NFC-decomposes to two.
      const fresh = await registerUser(api);
      const name = await api.request("POST", "/api/v1/artists", {
        token: fresh.accessToken,
        body: { name: "\uFDFA".repeat(200) },
      });
      expectProblem(name, 400);
      // The refused request left the account as it was: still a plain user, free to become an artist.
      const retry = await api.request("POST", "/api/v1/artists", {
        token: fresh.accessToken,
        body: { name: `Fine ${fresh.user.username}` },
      });
      expect(retry.status).toBe(201);
      expectProblem(
        await api.request("POST", "/api/v1/tracks", {
          token: artist.accessToken,
          body: { title: "\u0958".repeat(300) },
        }),
        400,
      );
    });
  });
});
