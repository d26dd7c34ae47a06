import axios, { type AxiosInstance, type InternalAxiosRequestConfig, isAxiosError } from "axios";
import { API_URL } from "../config";
import type { Session, User } from "./types";

const REFRESH_KEY = "jonquils.refreshToken";
/** Refresh this long before the access token expires, so requests never carry a stale one. */
const REFRESH_MARGIN_MS = 60_000;

type Listener = (user: User | null) => void;

/**
 * The signed-in session: the access token lives in memory only, the rotating refresh token
 * in localStorage. Tokens are renewed silently on a timer, before a request that would carry
 * an expiring token, and once after a 401. Refreshes are serialised (across tabs too, with
 * the Web Locks API where available) so a rotated token is never presented twice — the API
 * revokes the whole sign-in when that happens.
 */
export class SessionStore {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private user: User | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<boolean> | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly http: AxiosInstance) {}

  get current(): User | null {
    return this.user;
  }

  get token(): string | null {
    return this.accessToken;
  }

  get needsRefresh(): boolean {
    return this.accessToken !== null && Date.now() > this.expiresAt - REFRESH_MARGIN_MS;
  }

  /** The refresh in flight, if any (a sign-in being restored after page load, for one). */
  get refreshing(): Promise<boolean> | null {
    return this.inFlight;
  }

  get hasRefreshToken(): boolean {
    return readRefresh() !== null;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  accept(session: Session): void {
    this.accessToken = session.accessToken;
    this.expiresAt = Date.now() + session.expiresIn * 1000;
    writeRefresh(session.refreshToken);
    this.setUser(session.user);
    clearTimeout(this.timer);
    const delay = Math.max(5_000, session.expiresIn * 1000 - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  setUser(user: User | null): void {
    this.user = user;
    for (const l of this.listeners) l(user);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.accessToken = null;
    this.expiresAt = 0;
    writeRefresh(null);
    this.setUser(null);
  }

  /** Rotates the refresh token. Resolves false (and signs out) when the sign-in is over. */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.withLock(async () => {
      const token = readRefresh();
      if (!token) {
        if (this.user) this.clear();
        return false;
      }
      try {
        const { data } = await this.http.post<Session>(
          "/api/v1/auth/refresh",
          { refreshToken: token },
          { skipAuth: true },
        );
        this.accept(data);
        return true;
      } catch (error) {
        // A network failure or a rate limit (429) keeps the refresh token for later; a refusal
        // of the token itself (400/401/403) ends the sign-in.
        if (isAxiosError(error) && [400, 401, 403].includes(error.response?.status ?? 0))
          this.clear();
        return false;
      }
    }).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    return locks ? locks.request("jonquils-refresh", fn) : fn();
  }
}

function readRefresh(): string | null {
  try {
    return localStorage.getItem(REFRESH_KEY);
  } catch {
    return null; // storage disabled: the session lasts as long as the page
  }
}

function writeRefresh(token: string | null): void {
  try {
    if (token) localStorage.setItem(REFRESH_KEY, token);
    else localStorage.removeItem(REFRESH_KEY);
  } catch {
    // storage disabled: nothing to persist
  }
}

declare module "axios" {
  interface AxiosRequestConfig {
    /** Send no Authorization header and do not refresh on 401 (auth endpoints). */
    skipAuth?: boolean;
    /** Internal: this request was already retried after a refresh. */
    retried?: boolean;
  }
}

export function createHttp(baseURL: string = API_URL) {
  const http = axios.create({ baseURL, timeout: 20_000 });
  const session = new SessionStore(http);

  http.interceptors.request.use(async (config: InternalAxiosRequestConfig) => {
    if (config.skipAuth) return config;
    if (session.refreshing) await session.refreshing;
    else if (session.needsRefresh) await session.refresh();
    if (session.token) config.headers.set("Authorization", `Bearer ${session.token}`);
    return config;
  });

  http.interceptors.response.use(undefined, async (error: unknown) => {
    if (
      isAxiosError(error) &&
      error.response?.status === 401 &&
      error.config &&
      !error.config.skipAuth &&
      !error.config.retried &&
      session.hasRefreshToken
    ) {
      if (await session.refresh()) return http.request({ ...error.config, retried: true });
    }
    throw error;
  });

  return { http, session };
}

export const { http, session } = createHttp();
