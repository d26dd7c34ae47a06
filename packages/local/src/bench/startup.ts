/**
 * Time from `npm start` to a 200 from GET /health: the command a developer types,
 * run as a child process group on a free port with its own DATA_DIR.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface StartupResult {
  /** Spawn of `npm start` → first 200 from /health. */
  healthyMs: number;
  /** What the process itself logged as startupMs (its first line of code → listening). */
  selfReportedMs: number | null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `npm start` with the given environment (on top of PATH and HOME only, so
 * a developer's DATABASE_URL or REDIS_URL does not leak in), waits for a healthy
 * /health, then stops the whole process group with SIGTERM and waits for it to exit.
 */
export async function measureStartup(
  cwd: string,
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<StartupResult> {
  const port = await freePort();
  const baseEnv: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "TMPDIR", "LANG", "TERM"]) {
    const v = process.env[k];
    if (v !== undefined) baseEnv[k] = v;
  }
  const started = performance.now();
  const child = spawn("npm", ["start", "--silent"], {
    cwd,
    env: { ...baseEnv, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group: npm → sh → tsx → node all get the SIGTERM
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  try {
    for (;;) {
      if (exitCode !== undefined)
        throw new Error(`npm start exited (${exitCode}) before /health answered:\n${output}`);
      if (performance.now() - started > timeoutMs)
        throw new Error(`no healthy /health within ${timeoutMs} ms:\n${output}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`, {
          signal: AbortSignal.timeout(2000),
        });
        await res.arrayBuffer();
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      await sleep(20);
    }
    const healthyMs = performance.now() - started;
    // The listening line is logged just before /health can answer; give stdout a moment.
    await sleep(100);
    const match = /"startupMs":(\d+)/.exec(output);
    return { healthyMs, selfReportedMs: match?.[1] ? Number(match[1]) : null };
  } finally {
    await stopGroup(child, exited);
  }
}

async function stopGroup(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!done) {
    signal("SIGKILL");
    await exited;
  }
  // npm can exit before its grandchildren; wait until the group is empty.
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
}
