import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { eq, sql } from "drizzle-orm";
import { schema } from "@jonquils/core";
import {
  promoteToAdmin,
  registerUser,
  startTestApi,
  TEST_JWT_SECRET,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";

const PASSWORD = "correct horse battery";

/** Polls until `check` holds, at most `ms`; returns the elapsed time. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(wirings())("accounts that stay shut ($name)", (wiring) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(wiring, { LOGIN_MAX_FAILURES: "3" });
  });
  afterAll(() => api.close());

  const createPlaylist = (token: string) =>
    api.request("POST", "/api/v1/playlists", { token, body: { title: "mine", isPublic: false } });

  it("refuses a disabled user's live access token within 5 s (changed in the database)", async () => {
    const s = await registerUser(api);
    expect((await createPlaylist(s.accessToken)).status).toBe(201);
    // The observed attack: the account is disabled behind the API's back (db:sql, another process).
    await api.runtime.ports.db
      .update(schema.users)
      .set({ isActive: false })
      .where(eq(schema.users.id, s.user.id));
    const elapsed = await within(5500, async () => {
      const res = await createPlaylist(s.accessToken);
      expect([201, 401]).toContain(res.status);
      return res.status === 401;
    });
    expect(elapsed).toBeLessThanOrEqual(5500);
    const playlist = await createPlaylist(s.accessToken);
    expect(playlist.status).toBe(401);
    expect(playlist.body.code).toBe("account_unavailable");
    const artist = await api.request("POST", "/api/v1/artists", {
      token: s.accessToken,
      body: { name: "Disabled Artist" },
    });
    expect(artist.status).toBe(401);
    // Re-enabled: the same token works again (it was never the token that was wrong).
    await api.runtime.ports.db
      .update(schema.users)
      .set({ isActive: true })
      .where(eq(schema.users.id, s.user.id));
    await within(5500, async () => (await createPlaylist(s.accessToken)).status === 201);
  });

  it("refuses at once when an admin disables the account, and ends its refresh tokens", async () => {
    const admin = await promoteToAdmin(api, await registerUser(api));
    const s = await registerUser(api);
    const off = await api.request("PATCH", `/api/v1/admin/users/${s.user.id}`, {
      token: admin.accessToken,
      body: { isActive: false },
    });
    expect(off.status).toBe(200);
    expect(off.body.isActive).toBe(false);
    expect((await createPlaylist(s.accessToken)).status).toBe(401);
    const refresh = await api.request("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: s.refreshToken },
    });
    expect(refresh.status).toBe(401);
    const login = await api.request("POST", "/api/v1/auth/login", {
      body: { login: s.user.username, password: PASSWORD },
    });
    expect(login.status).toBe(403);
    const notAdmin = await api.request("PATCH", `/api/v1/admin/users/${admin.user.id}`, {
      token: (await registerUser(api)).accessToken,
      body: { isActive: false },
    });
    expect(notAdmin.status).toBe(403);
  });

  it("answers 401, never 500, to a deleted user's token (in the database or by an admin)", async () => {
    const s = await registerUser(api);
    await api.runtime.ports.db.delete(schema.users).where(eq(schema.users.id, s.user.id));
    await within(5500, async () => {
      const res = await createPlaylist(s.accessToken);
      expect(res.status).not.toBe(500);
      return res.status === 401;
    });
    const me = await api.request("GET", "/api/v1/auth/me", { token: s.accessToken });
    expect(me.status).toBe(401);

    const admin = await promoteToAdmin(api, await registerUser(api));
    const t = await registerUser(api);
    const del = await api.request("DELETE", `/api/v1/admin/users/${t.user.id}`, {
      token: admin.accessToken,
    });
    expect(del.status).toBe(204);
    const res = await api.request("POST", "/api/v1/artists", {
      token: t.accessToken,
      body: { name: "Ghost" },
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("account_unavailable");
    const again = await api.request("DELETE", `/api/v1/admin/users/${t.user.id}`, {
      token: admin.accessToken,
    });
    expect(again.status).toBe(404);
  });

  it("refuses a correctly signed token without exp", async () => {
    const s = await registerUser(api);
    const token = await new SignJWT({ role: "user" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(s.user.id)
      .setIssuer("jonquils")
      .setAudience("jonquils-api")
      .setIssuedAt()
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const res = await api.request("GET", "/api/v1/auth/me", { token });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("invalid_token");
  });

  it("keeps the user signed in when several tabs refresh at once; later reuse still revokes", async () => {
    const s = await registerUser(api);
    const tabs = await Promise.all(
      [1, 2, 3, 4].map(() =>
        api.request("POST", "/api/v1/auth/refresh", { body: { refreshToken: s.refreshToken } }),
      ),
    );
    expect(tabs.map((t) => t.status)).toEqual([200, 200, 200, 200]);
    for (const t of tabs) {
      const me = await api.request("GET", "/api/v1/auth/me", { token: t.body.accessToken });
      expect(me.status).toBe(200);
    }
    // Each tab carries on with the token it got.
    const next = await api.request("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: tabs[3]!.body.refreshToken },
    });
    expect(next.status).toBe(200);

    // The original token replayed a minute later is a stolen copy: the whole sign-in ends.
    await api.runtime.ports.db.execute(
      sql`update refresh_tokens set rotated_at = now() - interval '60 seconds' where rotated_at is not null and user_id = ${s.user.id}`,
    );
    const replay = await api.request("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: s.refreshToken },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe("refresh_token_reused");
    const after = await api.request("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: next.body.refreshToken },
    });
    expect(after.status).toBe(401);
  });
});

describe.each(wirings())("abuse bounded: sign-in and sign-up ($name)", (wiring) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(wiring, { LOGIN_MAX_FAILURES: "3", SIGNUP_PER_IP_PER_HOUR: "3" });
  });
  afterAll(() => api.close());

  const register = (username: string, password: string, ip: string) =>
    api.request("POST", "/api/v1/auth/register", {
      body: { username, email: `${username}@example.com`, password },
      ip,
    });

  it("does not lock an IP's correct passwords after failures across accounts", async () => {
    const ip = "198.51.100.90";
    const victims = await Promise.all(
      [1, 2, 3].map((i) => register(`shared${i}x`, PASSWORD, `192.0.2.${i}`)),
    );
    expect(victims.map((v) => v.status)).toEqual([201, 201, 201]);
    for (let i = 0; i < 50; i++) {
      const r = await api.request("POST", "/api/v1/auth/login", {
        body: { login: `nobody${i}`, password: "wrong password" },
        ip,
      });
      expect(r.status).toBe(401);
    }
    const ok = await api.request("POST", "/api/v1/auth/login", {
      body: { login: "shared1x", password: PASSWORD },
      ip,
    });
    expect(ok.status).toBe(200);
  });

  it("throttles one account guessed from many IPs (per account) and from one IP (per IP+account)", async () => {
    expect((await register("target1x", PASSWORD, "192.0.2.20")).status).toBe(201);
    // Per account across IPs: 4 × LOGIN_MAX_FAILURES (12) failures from 12 addresses.
    for (let i = 0; i < 12; i++) {
      const r = await api.request("POST", "/api/v1/auth/login", {
        body: { login: "target1x", password: `guess ${i}` },
        ip: `203.0.113.${100 + i}`,
      });
      expect(r.status).toBe(401);
    }
    const locked = await api.request("POST", "/api/v1/auth/login", {
      body: { login: "target1x", password: "guess again" },
      ip: "203.0.113.200",
    });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("refuses common and trivial passwords with 422 and says why", async () => {
    for (const [name, password] of [
      ["weak1x", "12345678"],
      ["weak2x", "password"],
      ["weak3x", "        "],
      ["weak4x", "Password"],
      ["weak5x", "iloveyou"],
      ["weak6x", "aaaaaaaaaa"],
      ["weak7xname", "weak7xname"],
    ] as const) {
      const res = await register(name, password, "192.0.2.77");
      expect(res.status, `${JSON.stringify(password)}`).toBe(422);
      expect(res.body.code).toBe("password_too_weak");
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    const short = await register("weak8x", "abc123", "192.0.2.77");
    expect(short.status).toBe(400);
  });

  it("limits sign-ups per IP with 429 and Retry-After", async () => {
    const ip = "192.0.2.150";
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await register(`flood${i}q${wiring.db}`, PASSWORD, ip)).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const refused = await register(`flood9q${wiring.db}`, PASSWORD, ip);
    expect(refused.body.code).toBe("too_many_signups");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await register(`other1q${wiring.db}`, PASSWORD, "192.0.2.151")).status).toBe(201);
  });
});
