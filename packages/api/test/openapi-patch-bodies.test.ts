import { registerArtist, startTestApi, type TestApi } from "@jonquils/local/testing/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * Partial updates refuse an empty body (400 "give at least one field to change"); the
 * OpenAPI document says so with `minProperties: 1`, so a generated client or a fuzzer
 * (schemathesis found the gap) does not send `{}` as valid.
 */
describe("partial-update bodies in the OpenAPI document", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ db: "pglite", redis: false });
  });
  afterAll(() => api?.close());

  it("document minProperties: 1 for every body that refuses {}", async () => {
    const schemas = (await api.request("GET", "/openapi.json")).body.components.schemas;
    for (const name of [
      "UpdateTrackRequest",
      "UpdatePlaylistRequest",
      "UpdateSmartPlaylistRequest",
    ])
      expect(schemas[name], name).toMatchObject({ type: "object", minProperties: 1 });
  });

  it("and the handler refuses {} as documented", async () => {
    const artist = await registerArtist(api);
    const playlist = await api.request("POST", "/api/v1/playlists", {
      token: artist.accessToken,
      body: { title: "Empty patch" },
    });
    expect(playlist.status).toBe(201);
    const res = await api.request("PATCH", `/api/v1/playlists/${playlist.body.id}`, {
      token: artist.accessToken,
      body: {},
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/at least one field/);
  });
});
