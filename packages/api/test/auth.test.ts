import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, base64url } from "jose";
import {
  registerUser,
  startTestApi,
  TEST_JWT_SECRET,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";

describe.each(wirings())("auth ($name)", (wiring) => {
  let api: TestApi;
  beforeAll(async () => {
    // No reuse grace here: these cases replay rotated tokens on purpose (the grace for tabs
    // refreshing at once is covered in account-security.test.ts).
    api = await startTestApi(wiring, { LOGIN_MAX_FAILURES: "3", REFRESH_REUSE_GRACE_SECONDS: "0" });
  });
  afterAll(() => api.close());

  it("registers, logs in by username or email, and answers /me", async () => {
    const s = await registerUser(api, "Grace");
    expect(s.user).toMatchObject({ username: "Grace", role: "user", artistId: null });
    for (const login of ["grace", "GRACE@example.com"]) {
      const res = await api.request("POST", "/api/v1/auth/login", {
        body: { login, password: "correct horse battery" },
      });
      expect(res.status).toBe(200);
      const me = await api.request("GET", "/api/v1/auth/me", { token: res.body.accessToken });
      expect(me.body).toMatchObject({ id: s.user.id, username: "Grace" });
    }
  });

  it("stores passwords as bcrypt hashes, never in clear", async () => {
    const s = await registerUser(api);
    const { schema } = await import("@jonquils/core");
    const { eq } = await import("drizzle-orm");
    const [row] = await api.runtime.ports.db
      .select()
      .from(schema.users)
      .where(eq(schema.users.id, s.user.id));
    expect(row!.passwordHash).toMatch(/^\$2[aby]\$\d\d\$/);
    expect(row!.passwordHash).not.toContain("correct horse");
  });

  it("refuses a duplicate username or email whatever the case, with 409", async () => {
    await registerUser(api, "dupe");
    const byName = await api.request("POST", "/api/v1/auth/register", {
      body: { username: "DUPE", email: "other@example.com", password: "long enough pw" },
    });
    expect(byName.status).toBe(409);
    expect(byName.body.code).toBe("username_taken");
    const byEmail = await api.request("POST", "/api/v1/auth/register", {
      body: { username: "fresh", email: "Dupe@Example.com", password: "long enough pw" },
    });
    expect(byEmail.status).toBe(409);
    expect(byEmail.body.code).toBe("email_taken");
  });

  it("rejects a wrong password with 401 and the same message as an unknown user", async () => {
    await registerUser(api, "henry");
    const wrong = await api.request("POST", "/api/v1/auth/login", {
      body: { login: "henry", password: "nope nope" },
      ip: "198.51.100.7",
    });
    const unknown = await api.request("POST", "/api/v1/auth/login", {
      body: { login: "nobody-here", password: "nope nope" },
      ip: "198.51.100.7",
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.headers.get("content-type")).toContain("application/problem+json");
  });

  it("answers 429 after repeated failed logins (brute force), even with the right password", async () => {
    await registerUser(api, "ivy");
    const ip = "198.51.100.42";
    for (let i = 0; i < 3; i++) {
      const r = await api.request("POST", "/api/v1/auth/login", {
        body: { login: "ivy", password: `guess-${i}` },
        ip,
      });
      expect(r.status).toBe(401);
    }
    const blocked = await api.request("POST", "/api/v1/auth/login", {
      body: { login: "ivy", password: "correct horse battery" },
      ip,
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe("too_many_login_attempts");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address is not locked out by someone else's guessing.
    const elsewhere = await api.request("POST", "/api/v1/auth/login", {
      body: { login: "ivy", password: "correct horse battery" },
      ip: "198.51.100.43",
    });
    expect(elsewhere.status).toBe(200);
  });

  describe("access tokens", () => {
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const claims = (sub: string) => ({ role: "admin", sub });

    it("rejects a token with alg none", async () => {
      const s = await registerUser(api);
      const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
      const payload = base64url.encode(
        JSON.stringify({
          ...claims(s.user.id),
          iss: "jonquils",
          aud: "jonquils-api",
          exp: Math.floor(Date.now() / 1000) + 600,
        }),
      );
      const res = await api.request("GET", "/api/v1/auth/me", { token: `${header}.${payload}.` });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("invalid_token");
    });

    it("rejects a token signed with another key", async () => {
      const s = await registerUser(api);
      const forged = await new SignJWT(claims(s.user.id))
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer("jonquils")
        .setAudience("jonquils-api")
        .setExpirationTime("10m")
        .sign(new TextEncoder().encode("another-secret-of-enough-length-123456"));
      const res = await api.request("GET", "/api/v1/auth/me", { token: forged });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("invalid_token");
    });

    it("rejects a tampered payload (role raised to admin)", async () => {
      const s = await registerUser(api);
      const [h, , sig] = s.accessToken.split(".");
      const body = base64url.encode(
        JSON.stringify({
          ...claims(s.user.id),
          iss: "jonquils",
          aud: "jonquils-api",
          exp: Math.floor(Date.now() / 1000) + 600,
        }),
      );
      const res = await api.request("GET", "/api/v1/auth/me", { token: `${h}.${body}.${sig}` });
      expect(res.status).toBe(401);
    });

    it("rejects an expired token with token_expired", async () => {
      const s = await registerUser(api);
      const expired = await new SignJWT({ role: "user" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(s.user.id)
        .setIssuer("jonquils")
        .setAudience("jonquils-api")
        .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(key);
      const res = await api.request("GET", "/api/v1/auth/me", { token: expired });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("token_expired");
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    });

    it("issues access tokens that expire in 15 minutes", async () => {
      const s = await registerUser(api);
      const payload = JSON.parse(Buffer.from(s.accessToken.split(".")[1]!, "base64url").toString());
      expect(payload.exp - payload.iat).toBe(900);
    });

    it("refuses a malformed Authorization header", async () => {
      const res = await api.request("GET", "/api/v1/auth/me", {
        headers: { authorization: "Basic Zm9vOmJhcg==" },
      });
      expect(res.status).toBe(401);
    });
  });

  describe("refresh tokens", () => {
    it("rotates on every use: the new token works, the old one no longer does", async () => {
      const s = await registerUser(api);
      const first = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: s.refreshToken },
      });
      expect(first.status).toBe(200);
      expect(first.body.refreshToken).not.toBe(s.refreshToken);
      const second = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: first.body.refreshToken },
      });
      expect(second.status).toBe(200);
    });

    it("revokes the whole family when a rotated token is reused", async () => {
      const s = await registerUser(api);
      const rotated = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: s.refreshToken },
      });
      expect(rotated.status).toBe(200);
      // An attacker replays the stolen, already-used token.
      const replay = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: s.refreshToken },
      });
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe("refresh_token_reused");
      // The legitimate holder's newer token is revoked too.
      const later = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: rotated.body.refreshToken },
      });
      expect(later.status).toBe(401);
      expect(later.body.code).toBe("invalid_refresh_token");
    });

    it("keeps other sign-ins of the same user alive when one family is revoked", async () => {
      const s = await registerUser(api, "multi");
      const other = await api.request("POST", "/api/v1/auth/login", {
        body: { login: "multi", password: "correct horse battery" },
      });
      await api.request("POST", "/api/v1/auth/refresh", { body: { refreshToken: s.refreshToken } });
      await api.request("POST", "/api/v1/auth/refresh", { body: { refreshToken: s.refreshToken } });
      const res = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: other.body.refreshToken },
      });
      expect(res.status).toBe(200);
    });

    it("stores refresh tokens hashed", async () => {
      const s = await registerUser(api);
      const { schema } = await import("@jonquils/core");
      const rows = await api.runtime.ports.db
        .select({ h: schema.refreshTokens.tokenHash })
        .from(schema.refreshTokens);
      expect(rows.some((r) => r.h === s.refreshToken)).toBe(false);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.h))).toBe(true);
    });

    it("logout revokes the refresh token", async () => {
      const s = await registerUser(api);
      const out = await api.request("POST", "/api/v1/auth/logout", {
        body: { refreshToken: s.refreshToken },
      });
      expect(out.status).toBe(204);
      const res = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: s.refreshToken },
      });
      expect(res.status).toBe(401);
    });

    it("rejects an unknown refresh token", async () => {
      const res = await api.request("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: "x".repeat(43) },
      });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe("invalid_refresh_token");
    });
  });

  it("rejects a password over bcrypt's 72 bytes instead of truncating it", async () => {
    const res = await api.request("POST", "/api/v1/auth/register", {
      body: { username: "longpw", email: "longpw@example.com", password: "ё".repeat(40) },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("password_too_long");
  });
});
