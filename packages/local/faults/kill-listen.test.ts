import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The observed loss: listens answered 202 and written to listening_history, the process killed
 * with kill -9 mid-burst, restarted — analytics counted fewer. Here the same, on `npm start`'s
 * embedded wiring (PGlite + chDB in one process): every 2xx must be counted after the restart,
 * exactly once.
 */
const PORT = 18210;
const WEB_PORT = 18211;
const BASE = `http://127.0.0.1:${PORT}`;
const PASSWORD = "correct horse battery";

let dataDir = "";
let server: ChildProcess | undefined;

function startServer(): ChildProcess {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|CLICKHOUSE_URL|OPENSEARCH_URL)$/.test(k))
      env[k] = v;
  Object.assign(env, {
    NODE_ENV: "development",
    DATA_DIR: dataDir,
    PORT: String(PORT),
    WEB_PORT: String(WEB_PORT),
    HOST: "127.0.0.1",
    SEED_DEMO: "false",
    BCRYPT_COST: "4",
    LOG_LEVEL: "warn",
    MONITOR_INTERVAL_MINUTES: "0",
    ANALYTICS_REFRESH_MS: "0",
    RATE_LIMIT_ENABLED: "false",
    JWT_SECRET: "fault-suite-secret-that-is-at-least-32-characters",
  });
  const child = spawn(process.execPath, ["--import", "tsx", "packages/local/src/start.ts"], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", () => {});
  return child;
}

async function waitHealthy(ms = 90_000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(`${BASE}/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error("server did not become healthy");
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function api(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(BASE + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();

  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function stopServer(signal: NodeJS.Signals) {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await exited;
}

describe("kill -9 during a listen burst", () => {
  afterAll(async () => {
    await stopServer("SIGTERM");
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("counts every accepted listen after the restart (0 lost, none twice)", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "jq-kill-"));
    server = startServer();
    await waitHealthy();

    const reg = async (name: string) => {
      const r = await api("POST", "/api/v1/auth/register", undefined, {
        username: name,
        email: `${name}@example.com`,
        password: PASSWORD,
      });
      expect(r.status).toBe(201);
      return r.body as { accessToken: string; refreshToken: string };
    };
    const owner = await reg("killowner");
    expect(
      (await api("POST", "/api/v1/artists", owner.accessToken, { name: "Kill Artist" })).status,
    ).toBe(201);
    const artist = (
      await api("POST", "/api/v1/auth/refresh", undefined, { refreshToken: owner.refreshToken })
    ).body;
    const track = await api("POST", "/api/v1/tracks", artist.accessToken, {
      title: "Kill Song",
      durationMs: 200_000,
    });
    expect(track.status).toBe(201);
    const trackId = track.body.id as string;
    const listener = await reg("killlistener");

    let accepted = 0;
    let stop = false;
    const loop = async () => {
      while (!stop) {
        try {
          const r = await fetch(`${BASE}/api/v1/analytics/listen`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${listener.accessToken}`,
              "content-type": "application/json",
            },
            body: JSON.stringify({ trackId, playDurationMs: 45_000 }),
          });
          await r.arrayBuffer();
          if (r.status >= 200 && r.status < 300) accepted++;
        } catch {
          return; // the server is gone
        }
      }
    };
    const loops = Array.from({ length: 8 }, loop);
    await new Promise((r) => setTimeout(r, 4000));
    await stopServer("SIGKILL");
    stop = true;
    await Promise.all(loops);
    expect(accepted).toBeGreaterThan(10);

    server = startServer();
    await waitHealthy();
    let plays = -1;
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const r = await api(
        "GET",
        `/api/v1/analytics/track/${trackId}?period=all`,
        artist.accessToken,
      );
      if (r.status === 200) {
        plays = Number(r.body.plays);
        if (plays >= accepted) break;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    // Settle: a late duplicate would show up here.
    await new Promise((res) => setTimeout(res, 1500));
    const final = await api(
      "GET",
      `/api/v1/analytics/track/${trackId}?period=all`,
      artist.accessToken,
    );
    console.log(
      `[faults] kill -9: ${accepted} listens answered 2xx, analytics counts ${final.body.plays}`,
    );
    // None lost; a listen in flight at the kill may have committed without its answer arriving
    // (at most one per client loop), which is not a loss.
    expect(Number(final.body.plays)).toBeGreaterThanOrEqual(accepted);
    expect(Number(final.body.plays)).toBeLessThanOrEqual(accepted + 8);
  });
});
