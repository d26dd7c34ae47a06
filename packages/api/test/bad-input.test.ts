import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  registerArtist,
  registerUser,
  startTestApi,
  wirings,
  type TestApi,
  type TestResponse,
} from "@jonquils/local/testing/harness";

/**
 * Hostile and careless input: every refusal is an RFC 9457 problem with a stable
 * code, and nothing a client sends may turn into a 500.
 */

/** Asserts an RFC 9457 problem+json response with the given status (and code, when given). */
function expectProblem(res: TestResponse, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const body = res.body as Record<string, unknown>;
  expect(body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
    code: expect.any(String),
  });
  expect(body["type"]).toBe(`https://jonquils.dev/problems/${body["code"] as string}`);
  expect((body["detail"] as string).length).toBeGreaterThan(0);
  if (code) expect(body["code"]).toBe(code);
  return body;
}

/** A 400 validation problem whose `errors` name the given field. */
function expectFieldError(res: TestResponse, field: string) {
  const body = expectProblem(res, 400, "validation_failed");
  const errors = body["errors"] as { path: string; message: string }[];
  expect(Array.isArray(errors)).toBe(true);
  expect(errors.map((e) => e.path)).toContain(field);
  for (const e of errors) expect(e.message).toEqual(expect.any(String));
}

describe.each(wirings())("bad input ($name)", (wiring) => {
  let api: TestApi;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  let user: Awaited<ReturnType<typeof registerUser>>;
  let trackId: string;
  let playlistId: string;

  beforeAll(async () => {
    api = await startTestApi(wiring);
    artist = await registerArtist(api);
    user = await registerUser(api);
    const t = await api.request("POST", "/api/v1/tracks", {
      token: artist.accessToken,
      body: { title: "Fixture", durationMs: 1000 },
    });
    expect(t.status).toBe(201);
    trackId = t.body.id;
    const p = await api.request("POST", "/api/v1/playlists", {
      token: user.accessToken,
      body: { title: "Fixture list" },
    });
    expect(p.status).toBe(201);
    playlistId = p.body.id;
  });
  afterAll(() => api.close());

  /** Sends a raw string body with the given content type. */
  const raw = (
    method: string,
    path: string,
    body: string,
    token?: string,
    contentType = "application/json",
  ) =>
    api.request(method, path, {
      body,
      headers: { "content-type": contentType },
      ...(token ? { token } : {}),
    });

  it("tells an anonymous caller to sign in before judging its body (401, not 400)", async () => {
    for (const [method, path] of [
      ["POST", "/api/v1/tracks"],
      ["POST", "/api/v1/playlists"],
      ["PUT", `/api/v1/tracks/${trackId}`],
      ["POST", "/api/v1/tracks/upload"],
    ] as const) {
      const res = await raw(method, path, '{"title": 42');
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    // Signed in, the same body is a validation problem.
    expectProblem(
      await raw("POST", "/api/v1/tracks", '{"title": 42', artist.accessToken),
      400,
      "malformed_json",
    );
  });

  describe("malformed JSON", () => {
    const cases: [string, string][] = [
      ["truncated object", '{"title": "x"'],
      ["trailing comma", '{"title": "x",}'],
      ["single quotes", "{'title': 'x'}"],
      ["bare word", "hello"],
      ["empty body with a JSON content type", ""],
    ];
    it.each(cases)("POST /tracks with a %s → 400 malformed_json", async (_name, body) => {
      expectProblem(
        await raw("POST", "/api/v1/tracks", body, artist.accessToken),
        400,
        "malformed_json",
      );
    });

    it("is refused the same way on register, playlists and PUT /tracks/{id}", async () => {
      expectProblem(await raw("POST", "/api/v1/auth/register", "{nope"), 400, "malformed_json");
      expectProblem(
        await raw("POST", "/api/v1/playlists", "{nope", user.accessToken),
        400,
        "malformed_json",
      );
      expectProblem(
        await raw("PUT", `/api/v1/tracks/${trackId}`, "{nope", artist.accessToken),
        400,
        "malformed_json",
      );
      expectProblem(
        await raw("POST", `/api/v1/playlists/${playlistId}/tracks`, "[1,", user.accessToken),
        400,
        "malformed_json",
      );
    });

    it("valid JSON that is not an object (array, string, null, number) → 400 validation_failed", async () => {
      for (const body of ["[]", '"a title"', "null", "42"]) {
        const res = await raw("POST", "/api/v1/tracks", body, artist.accessToken);
        expectProblem(res, 400, "validation_failed");
        expect(res.body.errors.length).toBeGreaterThan(0);
      }
    });
  });

  describe("missing body and wrong content type", () => {
    it("no body at all → 400 validation_failed, naming the missing field", async () => {
      expectFieldError(
        await api.request("POST", "/api/v1/tracks", { token: artist.accessToken }),
        "title",
      );
      expectFieldError(await api.request("POST", "/api/v1/auth/login", {}), "login");
      expectFieldError(
        await api.request("POST", "/api/v1/playlists", { token: user.accessToken }),
        "title",
      );
    });

    it("an empty JSON object → 400 naming every required field", async () => {
      const res = await api.request("POST", "/api/v1/auth/register", { body: {} });
      expectFieldError(res, "username");
      const paths = res.body.errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(expect.arrayContaining(["username", "email", "password"]));
    });

    it("a body sent as text/plain or a form → 4xx problem (415), never 500 and never accepted", async () => {
      const json = JSON.stringify({ title: "Sneaky" });
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
        expectProblem(
          await raw("POST", "/api/v1/tracks", json, artist.accessToken, type),
          415,
          "unsupported_media_type",
        );
      }
      expectProblem(
        await raw(
          "POST",
          "/api/v1/auth/register",
          "username=a&email=b&password=c",
          undefined,
          "application/x-www-form-urlencoded",
        ),
        415,
      );
      // Nothing was created by any of them.
      const list = await api.request("GET", `/api/v1/tracks?artistId=${artist.artistId}`);
      expect(list.body.items.map((t: { title: string }) => t.title)).not.toContain("Sneaky");
    });

    it("a JSON content type with parameters (charset) is accepted", async () => {
      const res = await raw(
        "POST",
        "/api/v1/playlists",
        JSON.stringify({ title: "Charset" }),
        user.accessToken,
        "application/json; charset=utf-8",
      );
      expect(res.status).toBe(201);
    });
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

  describe("client addresses", () => {
    it("a client address that is not an IP never breaks sign-up, sign-in or a write", async () => {
      const { schema } = await import("@jonquils/core");
      const { eq } = await import("drizzle-orm");
      let n = 0;
      for (const ip of ["unknown", "cafe", "999.1.1.1", "1.2.3", "<script>"]) {
        const name = `oddip${n++}${randomUUID().slice(0, 4)}`;
        const reg = await api.request("POST", "/api/v1/auth/register", {
          ip,
          body: { username: name, email: `${name}@example.com`, password: "long enough pw" },
        });
        expect(reg.status, `${ip}: ${JSON.stringify(reg.body)}`).toBe(201);
        const login = await api.request("POST", "/api/v1/auth/login", {
          ip,
          body: { login: name, password: "long enough pw" },
        });
        expect(login.status).toBe(200);
        const p = await api.request("POST", "/api/v1/playlists", {
          ip,
          token: login.body.accessToken,
          body: { title: "From afar" },
        });
        expect(p.status).toBe(201);
        const rows = await api.runtime.ports.db
          .select()
          .from(schema.auditLog)
          .where(eq(schema.auditLog.userId, reg.body.user.id))
          .orderBy(schema.auditLog.id);
        expect(rows.map((r) => r.action)).toEqual([
          "user.register",
          "auth.login",
          "playlist.create",
        ]);
        expect(rows.every((r) => r.ip === null)).toBe(true);
      }
      // A real address is still recorded.
      const s = await api.request("POST", "/api/v1/auth/register", {
        ip: "2001:db8::7",
        body: { username: "v6user", email: "v6@example.com", password: "long enough pw" },
      });
      expect(s.status).toBe(201);
      const [row] = await api.runtime.ports.db
        .select()
        .from(schema.auditLog)
        .where(eq(schema.auditLog.userId, s.body.user.id));
      expect(row!.ip).toBe("2001:db8::7");
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

  describe("size limits and routing", () => {
    it("a body over 1 MiB → 413 payload_too_large", async () => {
      const big = JSON.stringify({ title: "x", description: "d".repeat(1024 * 1024 + 10) });
      expectProblem(
        await raw("POST", "/api/v1/playlists", big, user.accessToken),
        413,
        "payload_too_large",
      );
    });

    it("a body over 1 MiB is refused even without authentication and with a false Content-Length", async () => {
      const big = "x".repeat(1024 * 1024 + 1);
      expectProblem(await raw("POST", "/api/v1/auth/login", big), 413, "payload_too_large");
      const lying = await api.request("POST", "/api/v1/auth/login", {
        body: big,
        headers: { "content-type": "application/json", "content-length": "10" },
      });
      expect(lying.status).not.toBe(500);
      expect(lying.status).toBeGreaterThanOrEqual(400);
    });

    it("a body just under the limit is read (and then validated)", async () => {
      const res = await api.request("POST", "/api/v1/playlists", {
        token: user.accessToken,
        body: { title: "x", description: "d".repeat(1000 * 1000) },
      });
      expectFieldError(res, "description");
    });

    it("unknown routes → 404 route_not_found", async () => {
      expectProblem(await api.request("GET", "/api/v1/nope"), 404, "route_not_found");
      expectProblem(await api.request("GET", "/api/v2/tracks"), 404, "route_not_found");
      expectProblem(
        await api.request("POST", "/api/v1/genres", { body: {} }),
        404,
        "route_not_found",
      );
      expectProblem(
        await api.request("GET", `/api/v1/tracks/${trackId}/lyrics`),
        404,
        "route_not_found",
      );
    });

    it("writes without a token → 401 unauthenticated", async () => {
      expectProblem(
        await api.request("POST", "/api/v1/tracks", { body: { title: "x" } }),
        401,
        "unauthenticated",
      );
      expectProblem(
        await api.request("DELETE", `/api/v1/tracks/${trackId}`),
        401,
        "unauthenticated",
      );
      expectProblem(await api.request("GET", "/api/v1/playlists"), 401, "unauthenticated");
    });

    it("a garbage bearer token → 401 even on a public route", async () => {
      expectProblem(await api.request("GET", "/api/v1/genres", { token: "garbage" }), 401);
      expectProblem(
        await api.request("GET", "/api/v1/genres", { headers: { authorization: "Bearer a b c" } }),
        401,
      );
    });
  });
});
