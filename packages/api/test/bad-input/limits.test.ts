import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { wirings, type TestApi } from "@jonquils/local/testing/harness";
import { badInputSuite, type BadInputFixture } from "../support/bad-input";
import { expectFieldError, expectProblem } from "../support/problem";

/** Client addresses, body size limits, unknown routes, missing or garbage tokens. */
describe.each(wirings())("bad input: limits and routing ($name)", (wiring) => {
  const suite = badInputSuite(wiring);
  const { raw } = suite;
  let api: TestApi;
  let user: BadInputFixture["user"];
  let trackId: string;
  beforeAll(() => {
    ({ api, user, trackId } = suite.fixture);
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
