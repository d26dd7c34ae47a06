// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { http } from "./client";
import { getTrack } from "./endpoints";
import { api, fillPath } from "./typed";
import type { Track } from "./types";

afterEach(() => vi.restoreAllMocks());

describe("requests typed by the API's OpenAPI document", () => {
  it("fills path parameters, URL-encoded, and refuses a missing one", () => {
    expect(fillPath("/api/v1/playlists/{id}/tracks/{trackId}", { id: "a b", trackId: "t/1" })).toBe(
      "/api/v1/playlists/a%20b/tracks/t%2F1",
    );
    expect(() => fillPath("/api/v1/tracks/{id}", {})).toThrow(/id/);
  });

  it("sends the method, the filled path, the query without empty values and the body", async () => {
    const request = vi.spyOn(http, "request").mockResolvedValue({ data: { ok: 1 } });
    await api.put("/api/v1/tracks/{id}/rating", { path: { id: "t1" }, body: { rating: 4 } });
    expect(request).toHaveBeenLastCalledWith(
      expect.objectContaining({
        method: "put",
        url: "/api/v1/tracks/t1/rating",
        data: { rating: 4 },
      }),
    );
    await api.get("/api/v1/tracks", { query: { genre: "", limit: 5 } });
    expect(request).toHaveBeenLastCalledWith(
      expect.objectContaining({ method: "get", url: "/api/v1/tracks", params: { limit: 5 } }),
    );
    await getTrack("abc");
    expect(request).toHaveBeenLastCalledWith(
      expect.objectContaining({ url: "/api/v1/tracks/abc" }),
    );
  });

  it("rejects, at compile time, what the API does not have", () => {
    // Each line below is a type error (tsc fails if one stops being one): the check is the point.
    const never = () => {
      // @ts-expect-error — no such route
      void api.get("/api/v1/trakcs");
      // @ts-expect-error — a rating is 1–5 or null, a number, not a string
      void api.put("/api/v1/tracks/{id}/rating", { path: { id: "x" }, body: { rating: "5" } });
      // @ts-expect-error — the path parameter is required
      void api.get("/api/v1/tracks/{id}");
      const t = {} as Track;
      // @ts-expect-error — tracks have no `name`
      void t.name;
    };
    expect(typeof never).toBe("function");
  });
});
