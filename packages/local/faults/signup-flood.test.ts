import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../src/testing/harness";

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
      { db: "pglite", redis: false },
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
});
