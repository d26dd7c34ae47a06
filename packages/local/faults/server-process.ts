import { spawn, type ChildProcess } from "node:child_process";

/**
 * `npm start`'s server as a child process on the embedded wiring (server adapters' variables
 * dropped), for the fault tests that kill it: start, wait until healthy, call the API, stop
 * with a signal.
 */
export function serverProcess(opts: {
  port: number;
  webPort: number;
  env?: Record<string, string>;
}) {
  const base = `http://127.0.0.1:${opts.port}`;
  let child: ChildProcess | undefined;

  function start(dataDir: string): void {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|CLICKHOUSE_URL|OPENSEARCH_URL)$/.test(k))
        env[k] = v;
    Object.assign(env, {
      NODE_ENV: "development",
      DATA_DIR: dataDir,
      PORT: String(opts.port),
      WEB_PORT: String(opts.webPort),
      HOST: "127.0.0.1",
      SEED_DEMO: "false",
      BCRYPT_COST: "4",
      LOG_LEVEL: "warn",
      MONITOR_INTERVAL_MINUTES: "0",
      ANALYTICS_REFRESH_MS: "0",
      RATE_LIMIT_ENABLED: "false",
      JWT_SECRET: "fault-suite-secret-that-is-at-least-32-characters",
      ...opts.env,
    });
    child = spawn(process.execPath, ["packages/local/launch.mjs"], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr?.on("data", () => {});
  }

  async function waitHealthy(ms = 90_000): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      try {
        const res = await fetch(`${base}/health`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error("server did not become healthy");
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function api(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read answers loosely
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : {} };
  }

  async function stop(signal: NodeJS.Signals): Promise<void> {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill(signal);
    await exited;
  }

  return { base, start, waitHealthy, api, stop };
}
