import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  registerArtist,
  startTestApi,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;

/** Headers that differ per request by design. */
const PER_REQUEST = new Set(["x-request-id", "ratelimit-remaining", "ratelimit-reset", "date"]);

const headerMap = (h: Headers) =>
  Object.fromEntries([...h.entries()].filter(([k]) => !PER_REQUEST.has(k)));

describe.each(wirings())("ETag and 304 on cached reads ($name)", (wiring) => {
  let api: TestApi;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  let trackId: string;

  beforeAll(async () => {
    api = await startTestApi(wiring, { CORS_ORIGINS: "https://app.example" });
    artist = await registerArtist(api, "Etag Band");
    const res = await api.request("POST", "/api/v1/tracks", {
      token: artist.accessToken,
      body: { title: "Validator", durationMs: 180_000 },
    });
    expect(res.status).toBe(201);
    trackId = res.body.id;
  });
  afterAll(() => api.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    api.app.request(path, { headers });

  it("a track carries a strong ETag; If-None-Match with it answers 304 with no body", async () => {
    const first = await get(`/api/v1/tracks/${trackId}`);
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/); // strong: no W/ prefix
    const body: Json = await first.json();
    expect(body.title).toBe("Validator");

    // Now a cache hit (the lean path): same ETag, same bytes.
    const second = await get(`/api/v1/tracks/${trackId}`);
    expect(second.headers.get("etag")).toBe(etag);
    expect(await second.json()).toEqual(body);

    for (const ifNoneMatch of [etag!, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const revalidated = await get(`/api/v1/tracks/${trackId}`, {
        "if-none-match": ifNoneMatch,
      });
      expect(revalidated.status, ifNoneMatch).toBe(304);
      expect(revalidated.headers.get("etag")).toBe(etag);
      expect(await revalidated.text()).toBe("");
    }
    const stale = await get(`/api/v1/tracks/${trackId}`, { "if-none-match": '"not-it"' });
    expect(stale.status).toBe(200);
    expect(((await stale.json()) as Json).title).toBe("Validator");
  });

  it("a change to the track gives a new ETag, and the old one gets the new body", async () => {
    const before = await get(`/api/v1/tracks/${trackId}`);
    const oldEtag = before.headers.get("etag")!;
    const patched = await api.request("PATCH", `/api/v1/tracks/${trackId}`, {
      token: artist.accessToken,
      body: { title: "Validator (Remix)" },
    });
    expect(patched.status).toBe(200);

    const after = await get(`/api/v1/tracks/${trackId}`, { "if-none-match": oldEtag });
    expect(after.status).toBe(200);
    expect(((await after.json()) as Json).title).toBe("Validator (Remix)");
    const newEtag = after.headers.get("etag")!;
    expect(newEtag).not.toBe(oldEtag);
    expect((await get(`/api/v1/tracks/${trackId}`, { "if-none-match": newEtag })).status).toBe(304);
  });

  it("lists carry an ETag too, which changes when a track is added", async () => {
    const path = `/api/v1/tracks?artistId=${artist.artistId}&limit=10`;
    const first = await get(path);
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"/);
    const notModified = await get(path, { "if-none-match": etag });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe("");

    await api.request("POST", "/api/v1/tracks", {
      token: artist.accessToken,
      body: { title: "Second", durationMs: 120_000 },
    });
    const changed = await get(path, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as Json).items.map((t: Json) => t.title)).toContain("Second");
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it("a cache hit has exactly the headers of the full stack, and is logged and rate-counted", async () => {
    const path = `/api/v1/tracks/${trackId}`;
    const origin = { origin: "https://app.example" };
    await api.request("PATCH", path, { token: artist.accessToken, body: { year: 2001 } }); // evict
    const enqueue = vi.spyOn(api.runtime.ports.analytics.queue, "enqueue");
    try {
      const miss = await get(path, origin); // full stack, fills the cache
      const hit = await get(path, origin); // lean path
      expect(miss.status).toBe(200);
      expect(hit.status).toBe(200);
      expect(headerMap(hit.headers)).toEqual(headerMap(miss.headers));
      expect(hit.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(hit.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(hit.headers.get("x-request-id")).not.toBe(miss.headers.get("x-request-id"));
      // One limiter: the hit counted after the miss.
      expect(Number(hit.headers.get("ratelimit-remaining"))).toBe(
        Number(miss.headers.get("ratelimit-remaining")) - 1,
      );
      // A client's own request id is echoed, as the full stack does.
      const tagged = await get(path, { "x-request-id": "client-abc-123" });
      expect(tagged.headers.get("x-request-id")).toBe("client-abc-123");

      const logged = enqueue.mock.calls.map(([r]) => r.values);
      expect(logged).toHaveLength(3);
      for (const values of logged)
        expect(values.slice(3, 6)).toEqual(["GET", "/api/v1/tracks/:id", 200]);
      expect(logged[2]![1]).toBe("client-abc-123");
    } finally {
      enqueue.mockRestore();
    }
  });

  it("a cache failing on a hit is answered by the full stack, as a problem+json with a request id", async () => {
    const path = `/api/v1/tracks/${trackId}`;
    expect((await get(path)).status).toBe(200); // cached
    const failing = vi
      .spyOn(api.runtime.ports.cache, "get")
      .mockRejectedValue(new Error("cache down"));
    try {
      const res = await get(path);
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    } finally {
      failing.mockRestore();
    }
    expect((await get(path)).status).toBe(200);
  });

  it("a bad id is still a problem+json 400, and an unknown one a 404", async () => {
    const bad = await api.request("GET", "/api/v1/tracks/not-a-uuid");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    const unknown = await api.request("GET", "/api/v1/tracks/00000000-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("etag")).toBeNull();
  });
});

describe("lean path under the rate limit", () => {
  it("a cached track still answers 429 problem+json once the IP's limit is spent", async () => {
    const api = await startTestApi(wirings()[0]!, { RATE_LIMIT_IP_PER_MINUTE: "6" });
    try {
      const artist = await registerArtist(api, "Limited");
      const created = await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { title: "Limited", durationMs: 60_000 },
        ip: "198.51.100.9",
      });
      expect(created.status).toBe(201);
      const path = `/api/v1/tracks/${created.body.id}`;
      const statuses: number[] = [];
      let last: Awaited<ReturnType<TestApi["request"]>> | undefined;
      for (let i = 0; i < 8; i++) {
        last = await api.request("GET", path, { ip: "198.51.100.77" });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
      expect(last!.headers.get("content-type")).toContain("application/problem+json");
      expect(last!.body.code).toBe("rate_limited");
      expect(last!.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(last!.headers.get("x-content-type-options")).toBe("nosniff");
    } finally {
      await api.close();
    }
  });
});
