import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerUser, startTestApi, wirings, type TestApi } from "@jonquils/local/testing/harness";

let signUps = 0;
/** A fresh user (admin when asked) signed up from its own address, so no limit here is touched. */
async function signUp(api: TestApi, admin = false): Promise<{ accessToken: string }> {
  const ip = `192.0.2.${200 + (++signUps % 50)}`;
  const name = `health${process.pid}x${signUps}`;
  const res = await api.request("POST", "/api/v1/auth/register", {
    body: { username: name, email: `${name}@example.com`, password: "correct horse battery" },
    ip,
  });
  if (!admin) return res.body;
  const { schema } = await import("@jonquils/core");
  const { eq } = await import("drizzle-orm");
  await api.runtime.ports.db
    .update(schema.users)
    .set({ role: "admin" })
    .where(eq(schema.users.id, res.body.user.id));
  const refreshed = await api.request("POST", "/api/v1/auth/refresh", {
    body: { refreshToken: res.body.refreshToken },
    ip,
  });
  return refreshed.body;
}

describe.each(wirings())("platform: health, docs, headers, limits ($name)", (wiring) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(wiring, {
      RATE_LIMIT_IP_PER_MINUTE: "5",
      RATE_LIMIT_USER_PER_MINUTE: "8",
      CORS_ORIGINS: "https://app.example",
    });
  });
  afterAll(() => api.close());

  it("reports each adapter on /health to an admin, only the status to the public", async () => {
    const anonymous = await api.request("GET", "/health");
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: "ok" });
    const user = await signUp(api);
    const asUser = await api.request("GET", "/health", { token: user.accessToken });
    expect(asUser.body).toEqual({ status: "ok" });
    const admin = await signUp(api, true);
    const res = await api.request("GET", "/health", { token: admin.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
    expect(res.body.components.database).toMatchObject({ status: "up", adapter: wiring.db });
    expect(res.body.components.cache).toMatchObject({
      status: "up",
      adapter: wiring.redis ? "redis" : "memory",
    });
  });

  it("serves an OpenAPI 3.1 document covering every resource", async () => {
    const res = await api.request("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const paths = Object.keys(res.body.paths);
    for (const p of [
      "/api/v1/auth/login",
      "/api/v1/tracks",
      "/api/v1/tracks/{id}",
      "/api/v1/tracks/popular",
      "/api/v1/artists/{id}/albums",
      "/api/v1/albums",
      "/api/v1/genres",
      "/api/v1/playlists/{id}/tracks",
      "/health",
    ]) {
      expect(paths).toContain(p);
    }
    expect(res.body.components.securitySchemes.bearerAuth.scheme).toBe("bearer");
    expect(res.body.components.schemas.Problem).toBeDefined();
  });

  it("renders Swagger UI and ReDoc pages whose scripts are served locally", async () => {
    const docs = await api.request("GET", "/docs");
    expect(docs.status).toBe(200);
    expect(docs.body).toContain("swagger-ui-bundle.js");
    expect(docs.headers.get("content-security-policy")).toContain("script-src 'self'");
    const redoc = await api.request("GET", "/redoc");
    expect(redoc.body).toContain('spec-url="/openapi.json"');
    const bundle = await api.app.request("/docs/assets/redoc.standalone.js");
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    const swagger = await api.app.request("/docs/assets/swagger-ui-bundle.js");
    expect(swagger.status).toBe(200);
    expect((await api.app.request("/docs/assets/..%2Fpackage.json")).status).toBe(404);
  });

  it("answers the product description's trailing-slash paths like the plain ones", async () => {
    for (const path of [
      "/api/v1/tracks/",
      "/api/v1/artists/",
      "/api/v1/albums/",
      "/api/v1/genres/",
    ]) {
      const res = await api.request("GET", path, { ip: "192.0.2.200" });
      expect(res.status, path).toBe(200);
    }
  });

  it("sets security headers with a deny-all CSP on API responses", async () => {
    const res = await api.request("GET", "/api/v1/genres");
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("allows CORS only from configured origins, including preflight", async () => {
    const allowed = await api.request("OPTIONS", "/api/v1/tracks", {
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(allowed.headers.get("access-control-allow-methods")).toContain("POST");
    const denied = await api.request("GET", "/api/v1/genres", {
      headers: { origin: "https://evil.example" },
    });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("limits anonymous requests per IP with RateLimit headers, then 429 problem+json", async () => {
    const ip = "192.0.2.50";
    const responses = [];
    for (let i = 0; i < 6; i++) responses.push(await api.request("GET", "/api/v1/genres", { ip }));
    const [first] = responses;
    const last = responses[5];
    expect(first?.headers.get("ratelimit-limit")).toBe("5");
    expect(first?.headers.get("ratelimit-remaining")).toBe("4");
    expect(first?.headers.get("ratelimit-policy")).toBe("5;w=60");
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last?.body.code).toBe("rate_limited");
    expect(last?.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address has its own budget.
    expect((await api.request("GET", "/api/v1/genres", { ip: "192.0.2.51" })).status).toBe(200);
  });

  it("counts requests with a bad token against the IP's budget (no unmetered token spraying)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (
          await api.request("GET", "/api/v1/auth/me", {
            token: `forged.${i}.token`,
            ip: "192.0.2.77",
          })
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("limits signed-in users per account, across addresses", async () => {
    const s = await registerUser(api);
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++)
      statuses.push(
        (
          await api.request("GET", "/api/v1/auth/me", {
            token: s.accessToken,
            ip: `192.0.2.${100 + i}`,
          })
        ).status,
      );
    expect(statuses.slice(0, 8).every((s) => s === 200)).toBe(true);
    expect(statuses[8]).toBe(429);
  });
});

describe("health when the database is down", () => {
  it("stays up, degraded (200), when only search is down, naming it to an admin", async () => {
    const api = await startTestApi({ db: "pglite", redis: false });
    try {
      const admin = await signUp(api, true);
      vi.spyOn(api.runtime.ports.search, "ping").mockRejectedValue(
        new Error("connect ECONNREFUSED"),
      );
      const anonymous = await api.request("GET", "/health");
      expect(anonymous.status).toBe(200);
      expect(anonymous.body).toEqual({ status: "degraded" });
      const res = await api.request("GET", "/health", { token: admin.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe("degraded");
      expect(res.body.components.search).toMatchObject({ status: "down" });
      expect(res.body.components.database.status).toBe("up");
    } finally {
      await api.close();
    }
  });

  it("answers 503 naming the component", async () => {
    const api = await startTestApi({ db: "pglite", redis: false });
    const admin = await signUp(api, true);
    await api.runtime.catalog.close();
    const anonymous = await api.request("GET", "/health");
    expect(anonymous.status).toBe(503);
    expect(anonymous.body).toEqual({ status: "unavailable" });
    const res = await api.request("GET", "/health", { token: admin.accessToken });
    expect(res.status).toBe(503);
    expect(res.body.status).toBe("unavailable");
    expect(res.body.components.database.status).toBe("down");
    expect(res.body.components.cache.status).toBe("up");
    await api.runtime.ports.cache.close();
  });
});

describe("client IP behind a trusted proxy", () => {
  it("takes the address the proxy appended, not one the client wrote into X-Forwarded-For", async () => {
    const api = await startTestApi({ db: "pglite", redis: false }, { TRUST_PROXY: "true" });
    const { schema } = await import("@jonquils/core");
    const { eq } = await import("drizzle-orm");
    const s = await registerUser(api);
    await api.request("GET", "/api/v1/auth/me", { token: s.accessToken });
    const res = await api.request("POST", "/api/v1/auth/login", {
      body: { login: s.user.username, password: "correct horse battery" },
      headers: { "x-forwarded-for": "10.9.9.9, 198.51.100.200" },
    });
    expect(res.status).toBe(200);
    const rows = await api.runtime.ports.db
      .select({ ip: schema.auditLog.ip })
      .from(schema.auditLog)
      .where(eq(schema.auditLog.action, "auth.login"));
    expect(rows.map((r) => r.ip)).toEqual(["198.51.100.200"]);
    await api.close();
  });
});
