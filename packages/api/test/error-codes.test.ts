import { ERROR_CATALOGUE, ERROR_CODES } from "@jonquils/core/error-catalogue";
import { startTestApi, type TestApi } from "@jonquils/local/testing/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * The error codes as a client integrating the API sees them: listed once in the OpenAPI
 * document (an enum a generator turns into a type), and every problem+json answer carries one
 * of them with the catalogue's status.
 */
describe("error codes in the OpenAPI document", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ db: "pglite", redis: false });
  });
  afterAll(() => api?.close());

  it("publishes the catalogue as the ErrorCode enum that Problem.code refers to", async () => {
    const doc = (await api.request("GET", "/openapi.json")).body;
    const schemas = doc.components.schemas;
    expect(schemas.ErrorCode.enum).toEqual(ERROR_CODES);
    expect(schemas.ErrorCode.enum).toEqual(
      expect.arrayContaining(["validation_failed", "conflict", "artist_name_taken"]),
    );
    expect(schemas.Problem.properties.code.$ref).toBe("#/components/schemas/ErrorCode");
  });

  it("answers mistakes with listed codes at the listed status", async () => {
    const answers = [
      await api.request("GET", "/api/v1/nowhere"),
      await api.request("POST", "/api/v1/auth/register", { body: { username: "" } }),
      await api.request("GET", "/api/v1/playlists"),
      await api.request("GET", `/api/v1/tracks/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`),
    ];
    for (const res of answers) {
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const code = res.body.code as keyof typeof ERROR_CATALOGUE;
      expect(ERROR_CODES, `${code}`).toContain(code);
      expect(res.status).toBe(ERROR_CATALOGUE[code].status);
    }
    expect(answers.map((a) => a.body.code)).toEqual([
      "route_not_found",
      "validation_failed",
      "unauthenticated",
      "track_not_found",
    ]);
  });
});
