import { registerUser, startTestApi, type TestApi } from "@jonquils/local/testing/harness";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

describe("our own failures", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ db: "pglite", redis: false });
  });
  afterAll(() => api.close());

  it("answer 500 problem+json with a request id, and log it with the user and route template", async () => {
    const { accessToken, user } = await registerUser(api);
    const log = api.runtime.ports.log;
    const logged = vi.spyOn(log, "error");
    const cache = api.runtime.ports.cache;
    const get = vi.spyOn(cache, "get").mockRejectedValue(new Error("cache exploded"));
    try {
      const res = await api.request("GET", "/api/v1/tracks/5f0c7f6e-8a4b-4b43-9a0e-0d7a9d1b2c3d", {
        token: accessToken,
        headers: { "x-request-id": "req-test-42" },
      });
      expect(res.status).toBe(500);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body).toMatchObject({ code: "internal_error", requestId: "req-test-42" });
      // Nothing of the cause leaks to the client.
      expect(JSON.stringify(res.body)).not.toContain("exploded");
      expect(logged).toHaveBeenCalledWith(
        expect.objectContaining({
          requestId: "req-test-42",
          userId: user.id,
          route: "/api/v1/tracks/:id",
          method: "GET",
        }),
        "unhandled error",
      );
    } finally {
      get.mockRestore();
      logged.mockRestore();
    }
  });
});
