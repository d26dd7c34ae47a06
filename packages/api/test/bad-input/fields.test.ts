import { beforeAll, describe, expect, it } from "vitest";
import { registerArtist, wirings, type TestApi } from "@jonquils/local/testing/harness";
import { badInputSuite, type BadInputFixture } from "../support/bad-input";
import { expectFieldError, expectProblem } from "../support/problem";

/** Field values: wrong types, strings too long or blank, strict update schemas. */
describe.each(wirings())("bad input: fields ($name)", (wiring) => {
  const suite = badInputSuite(wiring);
  let api: TestApi;
  let artist: BadInputFixture["artist"];
  let user: BadInputFixture["user"];
  let trackId: string;
  let playlistId: string;
  beforeAll(() => {
    ({ api, artist, user, trackId, playlistId } = suite.fixture);
  });

  describe("wrong types → 400 validation_failed with the field named", () => {
    const cases: [string, string, string, Record<string, unknown>, string][] = [
      ["track title as a number", "POST", "/api/v1/tracks", { title: 123 }, "title"],
      [
        "track durationMs as a string",
        "POST",
        "/api/v1/tracks",
        { title: "ok", durationMs: "200" },
        "durationMs",
      ],
      ["track year as a float", "POST", "/api/v1/tracks", { title: "ok", year: 1999.5 }, "year"],
      ["track energy above 1", "POST", "/api/v1/tracks", { title: "ok", energy: 1.5 }, "energy"],
      ["track genreId of zero", "POST", "/api/v1/tracks", { title: "ok", genreId: 0 }, "genreId"],
      [
        "track albumId not a UUID",
        "POST",
        "/api/v1/tracks",
        { title: "ok", albumId: "album-1" },
        "albumId",
      ],
      [
        "playlist isPublic as a string",
        "POST",
        "/api/v1/playlists",
        { title: "ok", isPublic: "yes" },
        "isPublic",
      ],
      ["playlist title as an object", "POST", "/api/v1/playlists", { title: { en: "x" } }, "title"],
      [
        "album releaseDate not a date",
        "POST",
        "/api/v1/albums",
        { title: "ok", releaseDate: "31/12/2020" },
        "releaseDate",
      ],
      [
        "album cover URL with a javascript: scheme",
        "POST",
        "/api/v1/albums",
        { title: "ok", coverImageUrl: "javascript:alert(1)" },
        "coverImageUrl",
      ],
      [
        "artist country not ISO",
        "POST",
        "/api/v1/artists",
        { name: "Some Name", country: "France" },
        "country",
      ],
      [
        "register email invalid",
        "POST",
        "/api/v1/auth/register",
        { username: "abc", email: "not-an-email", password: "long enough pw" },
        "email",
      ],
      [
        "register password as an array",
        "POST",
        "/api/v1/auth/register",
        { username: "abc", email: "a@example.com", password: ["x"] },
        "password",
      ],
      ["login without password", "POST", "/api/v1/auth/login", { login: "someone" }, "password"],
    ];
    it.each(cases)("%s", async (_name, method, path, body, field) => {
      const token = path.includes("playlists")
        ? user.accessToken
        : path.includes("auth")
          ? undefined
          : artist.accessToken;
      expectFieldError(
        await api.request(method, path, { body, ...(token ? { token } : {}) }),
        field,
      );
    });

    it("playlist add-track with a negative position or a string trackId", async () => {
      expectFieldError(
        await api.request("POST", `/api/v1/playlists/${playlistId}/tracks`, {
          token: user.accessToken,
          body: { trackId, position: -1 },
        }),
        "position",
      );
      expectFieldError(
        await api.request("POST", `/api/v1/playlists/${playlistId}/tracks`, {
          token: user.accessToken,
          body: { trackId: 42 },
        }),
        "trackId",
      );
      expectFieldError(
        await api.request("PUT", `/api/v1/playlists/${playlistId}/tracks`, {
          token: user.accessToken,
          body: { trackIds: ["nope"] },
        }),
        "trackIds.0",
      );
    });

    it("a failed update changes nothing", async () => {
      expectFieldError(
        await api.request("PATCH", `/api/v1/tracks/${trackId}`, {
          token: artist.accessToken,
          body: { title: "Renamed", year: "nineteen" },
        }),
        "year",
      );
      const t = await api.request("GET", `/api/v1/tracks/${trackId}`);
      expect(t.body.title).toBe("Fixture");
    });
  });

  describe("strings too long, empty or blank", () => {
    it("track title of 301 characters → 400; 300 is accepted", async () => {
      expectFieldError(
        await api.request("POST", "/api/v1/tracks", {
          token: artist.accessToken,
          body: { title: "a".repeat(301) },
        }),
        "title",
      );
      const ok = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { title: "b".repeat(300) },
      });
      expect(ok.status).toBe(201);
      expect(ok.body.title).toHaveLength(300);
    });

    it("username of 33 characters (or 2) → 400; 32 is accepted", async () => {
      expectFieldError(
        await api.request("POST", "/api/v1/auth/register", {
          body: { username: "u".repeat(33), email: "long@example.com", password: "long enough pw" },
        }),
        "username",
      );
      expectFieldError(
        await api.request("POST", "/api/v1/auth/register", {
          body: { username: "uu", email: "short@example.com", password: "long enough pw" },
        }),
        "username",
      );
      const ok = await api.request("POST", "/api/v1/auth/register", {
        body: { username: "v".repeat(32), email: "max@example.com", password: "long enough pw" },
      });
      expect(ok.status).toBe(201);
    });

    it("other over-long strings: playlist title 201, description 2001, artist name 201, album title 301, login 255", async () => {
      expectFieldError(
        await api.request("POST", "/api/v1/playlists", {
          token: user.accessToken,
          body: { title: "p".repeat(201) },
        }),
        "title",
      );
      expectFieldError(
        await api.request("POST", "/api/v1/playlists", {
          token: user.accessToken,
          body: { title: "ok", description: "d".repeat(2001) },
        }),
        "description",
      );
      expectFieldError(
        await api.request("POST", "/api/v1/artists", {
          token: user.accessToken,
          body: { name: "n".repeat(201) },
        }),
        "name",
      );
      expectFieldError(
        await api.request("POST", "/api/v1/albums", {
          token: artist.accessToken,
          body: { title: "a".repeat(301) },
        }),
        "title",
      );
      expectFieldError(
        await api.request("POST", "/api/v1/auth/login", {
          body: { login: "l".repeat(255), password: "whatever" },
        }),
        "login",
      );
    });

    it("blank titles (empty or only white space) → 400", async () => {
      expectFieldError(
        await api.request("POST", "/api/v1/tracks", {
          token: artist.accessToken,
          body: { title: "" },
        }),
        "title",
      );
      expectFieldError(
        await api.request("POST", "/api/v1/tracks", {
          token: artist.accessToken,
          body: { title: "   \t  " },
        }),
        "title",
      );
      expectFieldError(
        await api.request("PATCH", `/api/v1/playlists/${playlistId}`, {
          token: user.accessToken,
          body: { title: "  " },
        }),
        "title",
      );
    });

    it("a search query over 200 characters → 400", async () => {
      expectFieldError(await api.request("GET", `/api/v1/artists?q=${"x".repeat(201)}`), "q");
    });
  });

  describe("strict update schemas", () => {
    it("PUT /tracks/{id} with an unknown field → 400 naming it, and nothing changes", async () => {
      const res = await api.request("PUT", `/api/v1/tracks/${trackId}`, {
        token: artist.accessToken,
        body: { title: "Changed", popularity: 100 },
      });
      const body = expectProblem(res, 400, "validation_failed");
      expect(JSON.stringify(body["errors"])).toContain("popularity");
      const t = await api.request("GET", `/api/v1/tracks/${trackId}`);
      expect(t.body).toMatchObject({ title: "Fixture", popularity: 0 });
    });

    it("PATCH /tracks/{id} cannot move a track to another artist (artistId is not updatable)", async () => {
      const other = await registerArtist(api);
      const res = await api.request("PATCH", `/api/v1/tracks/${trackId}`, {
        token: artist.accessToken,
        body: { artistId: other.artistId },
      });
      expectProblem(res, 400, "validation_failed");
      const t = await api.request("GET", `/api/v1/tracks/${trackId}`);
      expect(t.body.artist.id).toBe(artist.artistId);
    });

    it("an empty update → 400", async () => {
      expectProblem(
        await api.request("PATCH", `/api/v1/tracks/${trackId}`, {
          token: artist.accessToken,
          body: {},
        }),
        400,
        "validation_failed",
      );
      expectProblem(
        await api.request("PUT", `/api/v1/playlists/${playlistId}`, {
          token: user.accessToken,
          body: {},
        }),
        400,
        "validation_failed",
      );
    });

    it("PUT /playlists/{id} with an unknown field (owner) → 400", async () => {
      const res = await api.request("PUT", `/api/v1/playlists/${playlistId}`, {
        token: user.accessToken,
        body: { title: "x", userId: artist.user.id },
      });
      const body = expectProblem(res, 400, "validation_failed");
      expect(JSON.stringify(body["errors"])).toContain("userId");
    });
  });
});
