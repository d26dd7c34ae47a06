// @vitest-environment jsdom
import { AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from "axios";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createHttp } from "./client";
import type { Session } from "./types";

const user = {
  id: "u1",
  username: "ann",
  email: "ann@example.com",
  role: "user" as const,
  isActive: true,
  artistId: null,
  createdAt: "2026-01-01T00:00:00Z",
};

let issued = 0;
const session = (expiresIn = 900): Session => {
  issued++;
  return {
    accessToken: `access-${issued}`,
    tokenType: "Bearer",
    expiresIn,
    refreshToken: `refresh-token-number-${issued}`,
    refreshExpiresAt: "2026-02-01T00:00:00Z",
    user,
  };
};

/** A fake API: the access token issued last is valid; each refresh token works once. */
function fakeServer(opts: { refreshRefused?: boolean; refreshLimited?: boolean } = {}) {
  const calls: { url: string; auth: string | undefined; body: unknown }[] = [];
  let valid = "";
  const used = new Set<string>();
  const reply = (
    config: InternalAxiosRequestConfig,
    status: number,
    data: unknown,
  ): AxiosResponse => {
    const res = { data, status, statusText: "", headers: {}, config } as AxiosResponse;
    if (status >= 400) throw new AxiosError("failed", "ERR_BAD_REQUEST", config, null, res);
    return res;
  };
  const adapter = async (config: InternalAxiosRequestConfig) => {
    const auth = config.headers.get("Authorization") as string | undefined;
    const body: unknown = typeof config.data === "string" ? JSON.parse(config.data) : undefined;
    calls.push({ url: config.url!, auth, body });
    await new Promise((r) => setTimeout(r, 1));
    if (config.url === "/api/v1/auth/refresh") {
      const token = (body as { refreshToken: string }).refreshToken;
      if (opts.refreshLimited)
        return reply(config, 429, { code: "rate_limited", detail: "Too many requests." });
      if (opts.refreshRefused || used.has(token))
        return reply(config, 401, { code: "refresh_token_invalid", detail: "Sign in again." });
      used.add(token);
      const s = session();
      valid = s.accessToken;
      return reply(config, 200, s);
    }
    if (auth !== `Bearer ${valid}`)
      return reply(config, 401, { code: "token_expired", detail: "The access token expired." });
    return reply(config, 200, { ok: true });
  };
  return {
    adapter,
    calls,
    expireAccess: () => (valid = "nothing"),
    setValid: (t: string) => (valid = t),
  };
}

function setup(opts: { refreshRefused?: boolean; refreshLimited?: boolean } = {}) {
  const server = fakeServer(opts);
  const { http, session: store } = createHttp("http://api.test");
  http.defaults.adapter = server.adapter;
  return { http, store, server };
}

beforeEach(() => localStorage.clear());
afterEach(() => vi.useRealTimers());

describe("session", () => {
  it("sends the access token and keeps the refresh token across reloads", async () => {
    const { http, store, server } = setup();
    const s = session();
    server.setValid(s.accessToken);
    store.accept(s);
    await http.get("/api/v1/auth/me");
    expect(server.calls[0]!.auth).toBe(`Bearer ${s.accessToken}`);
    expect(localStorage.getItem("jonquils.refreshToken")).toBe(s.refreshToken);
    expect(store.current?.username).toBe("ann");
  });

  it("refreshes once after a 401 and retries, even for requests made together", async () => {
    const { http, store, server } = setup();
    store.accept(session());
    server.expireAccess();
    const answers = await Promise.all([
      http.get("/api/v1/a"),
      http.get("/api/v1/b"),
      http.get("/api/v1/c"),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const refreshes = server.calls.filter((c) => c.url === "/api/v1/auth/refresh");
    expect(refreshes).toHaveLength(1); // a rotated token presented twice would end the sign-in
    expect(localStorage.getItem("jonquils.refreshToken")).toBe(`refresh-token-number-${issued}`);
  });

  it("renews a token about to expire before using it", async () => {
    const { http, store, server } = setup();
    const s = session(30); // less than the one-minute margin
    server.setValid(s.accessToken);
    store.accept(s);
    await http.get("/api/v1/auth/me");
    expect(server.calls.map((c) => c.url)).toEqual(["/api/v1/auth/refresh", "/api/v1/auth/me"]);
    expect(server.calls[1]!.auth).toBe(`Bearer access-${issued}`);
  });

  it("renews silently on a timer a minute before expiry", async () => {
    vi.useFakeTimers();
    const { store, server } = setup();
    store.accept(session(900));
    await vi.advanceTimersByTimeAsync(839_000);
    expect(server.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(server.calls.map((c) => c.url)).toEqual(["/api/v1/auth/refresh"]);
  });

  it("holds requests made while a stored sign-in is being restored, then sends the new token", async () => {
    const { http, store, server } = setup();
    localStorage.setItem("jonquils.refreshToken", "refresh-token-from-last-visit");
    const restoring = store.refresh(); // page load
    const answer = await http.get("/api/v1/playlists");
    expect(await restoring).toBe(true);
    expect(answer.status).toBe(200);
    expect(server.calls.map((c) => c.url)).toEqual(["/api/v1/auth/refresh", "/api/v1/playlists"]);
    expect(server.calls[1]!.auth).toBe(`Bearer access-${issued}`);
  });

  it("signs out when the refresh token is refused", async () => {
    const { http, store, server } = setup({ refreshRefused: true });
    const signedOut = vi.fn();
    store.accept(session());
    store.subscribe(signedOut);
    server.expireAccess();
    await expect(http.get("/api/v1/auth/me")).rejects.toMatchObject({ response: { status: 401 } });
    expect(store.current).toBeNull();
    expect(localStorage.getItem("jonquils.refreshToken")).toBeNull();
    expect(signedOut).toHaveBeenCalledWith(null);
  });

  it("keeps the sign-in when a refresh is only rate limited (429)", async () => {
    const { http, store, server } = setup({ refreshLimited: true });
    const first = session();
    store.accept(first);
    server.expireAccess();
    await expect(http.get("/api/v1/auth/me")).rejects.toMatchObject({ response: { status: 401 } });
    expect(localStorage.getItem("jonquils.refreshToken")).toBe(first.refreshToken);
  });
});
