import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serverProcess } from "./server-process";

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
const {
  start: startServer,
  waitHealthy,
  api,
  stop: stopServer,
} = serverProcess({ port: PORT, webPort: WEB_PORT });

describe("kill -9 during a listen burst", () => {
  afterAll(async () => {
    await stopServer("SIGTERM");
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("counts every accepted listen after the restart (0 lost, none twice)", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "jq-kill-"));
    startServer(dataDir);
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

    startServer(dataDir);
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
