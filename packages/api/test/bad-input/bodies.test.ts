import { beforeAll, describe, expect, it } from "vitest";
import { wirings, type TestApi } from "@jonquils/local/testing/harness";
import { badInputSuite, type BadInputFixture } from "../support/bad-input";
import { expectFieldError, expectProblem } from "../support/problem";

/** Bodies that are not JSON objects: sign-in first, malformed JSON, no body, wrong content types. */
describe.each(wirings())("bad input: request bodies ($name)", (wiring) => {
  const suite = badInputSuite(wiring);
  const { raw } = suite;
  let api: TestApi;
  let artist: BadInputFixture["artist"];
  let user: BadInputFixture["user"];
  let trackId: string;
  let playlistId: string;
  beforeAll(() => {
    ({ api, artist, user, trackId, playlistId } = suite.fixture);
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
});
