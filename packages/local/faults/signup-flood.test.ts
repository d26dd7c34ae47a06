import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerArtist, registerUser, startTestApi, type TestApi } from "../src/testing/harness";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

/**
 * The observed starvation: ten clients signing up in a loop (bcrypt cost 12 on the event loop)
 * pushed GET /genres from 3–17 ms to a median of 203 ms. With hashing on the worker pool and the
 * pool's bound answering 503 at once, other endpoints keep their idle latency.
 */
describe("ten sign-up flooders", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(
      // PGlite on its worker thread, as `npm start` wires it.
      { db: "pglite-thread", redis: false },
      { BCRYPT_COST: "12", SIGNUP_PER_IP_PER_HOUR: "100000" },
    );
  });
  afterAll(() => api.close());

  const sample = async (n: number) => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = await api.request("GET", "/api/v1/genres");
      ms.push(performance.now() - t);
      expect(r.status).toBe(200);
      await new Promise((res) => setTimeout(res, 5));
    }
    return ms;
  };

  it("keeps GET /genres p99 within 2× idle (p50 within 2× idle) and answers the excess 503 at once", async () => {
    await sample(50); // warm (cache filled)
    const idle = await sample(300);
    let stop = false;
    const statuses: Record<number, number> = {};
    let n = 0;
    const flooder = async (c: number) => {
      while (!stop) {
        const name = `flood${c}x${++n}`;
        const r = await api.request("POST", "/api/v1/auth/register", {
          body: { username: name, email: `${name}@example.com`, password: "correct horse battery" },
          ip: `198.18.0.${c + 1}`,
        });
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        await new Promise((res) => setTimeout(res, 10));
      }
    };
    const flooders = Array.from({ length: 10 }, (_, c) => flooder(c));
    await new Promise((res) => setTimeout(res, 300));
    const busy = await sample(300);
    stop = true;
    await Promise.all(flooders);
    const idleP99 = pct(idle, 99);
    const busyP99 = pct(busy, 99);
    console.log(
      `[faults] sign-up flood: /genres idle p50 ${pct(idle, 50).toFixed(1)} p99 ${idleP99.toFixed(1)} ms; flooded p50 ${pct(busy, 50).toFixed(1)} p99 ${busyP99.toFixed(1)} ms; sign-up answers ${JSON.stringify(statuses)}`,
    );
    expect(statuses[201] ?? 0).toBeGreaterThan(0);
    expect(statuses[503] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(statuses).every((s) => s === "201" || s === "503")).toBe(true);
    // Median unchanged; the p99 tail left is the sign-ups that do get through (PGlite's inserts
    // run on this thread). Before: median 203 ms. See docs/reliability.md.
    expect(pct(busy, 50)).toBeLessThanOrEqual(Math.max(2 * pct(idle, 50), 3));
    expect(busyP99).toBeLessThanOrEqual(Math.max(2 * idleP99, 50));
  });

  it("keeps the p99 of other endpoints (catalog, search, an account's own reads) within 2× idle", async () => {
    const artist = await registerArtist(api, "Flood Orchestra");
    for (const title of ["Harbour Lights", "Harbour Mist", "Granite Steps", "Copper Rain"])
      await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: { title, durationMs: 200_000 },
      });
    await api.runtime.ports.outbox!.drain();
    const listener = await registerUser(api);
    const endpoints: [string, string | undefined][] = [
      ["/api/v1/genres", undefined],
      ["/api/v1/tracks?limit=20", undefined],
      ["/api/v1/tracks/popular?limit=10", undefined],
      ["/api/v1/search/tracks?q=harbour", undefined],
      ["/api/v1/search/suggest?q=gra", undefined],
      ["/api/v1/auth/me", listener.accessToken],
      ["/api/v1/playlists", listener.accessToken],
    ];
    const round = async (n: number) => {
      const ms = new Map(endpoints.map(([path]) => [path, [] as number[]]));
      for (let i = 0; i < n; i++)
        for (const [path, token] of endpoints) {
          const t = performance.now();
          const r = await api.request("GET", path, token ? { token } : {});
          ms.get(path)!.push(performance.now() - t);
          expect(r.status, path).toBe(200);
          await new Promise((res) => setTimeout(res, 2));
        }
      return ms;
    };
    await round(20); // warm
    const idle = await round(150);
    let stop = false;
    let n = 0;
    const flooder = async (c: number) => {
      while (!stop) {
        const name = `flood2${c}x${++n}`;
        await api.request("POST", "/api/v1/auth/register", {
          body: { username: name, email: `${name}@example.com`, password: "correct horse battery" },
          ip: `198.18.1.${c + 1}`,
        });
        await new Promise((res) => setTimeout(res, 10));
      }
    };
    const flooders = Array.from({ length: 10 }, (_, c) => flooder(c));
    await new Promise((res) => setTimeout(res, 300));
    const busy = await round(150);
    stop = true;
    await Promise.all(flooders);
    const rows: string[] = [];
    for (const [path] of endpoints) {
      const i99 = pct(idle.get(path)!, 99);
      const b99 = pct(busy.get(path)!, 99);
      rows.push(
        `${path} p99 ${i99.toFixed(1)} → ${b99.toFixed(1)} ms (${(b99 / i99).toFixed(2)}×)`,
      );
    }
    console.log(`[faults] sign-up flood, other endpoints (idle → flooded): ${rows.join("; ")}`);
    for (const [path] of endpoints) {
      // 2× idle, with a floor for sub-10 ms idle tails (a single GC pause dominates those).
      expect(pct(busy.get(path)!, 99), path).toBeLessThanOrEqual(
        Math.max(2 * pct(idle.get(path)!, 99), 50),
      );
    }
  });
});
