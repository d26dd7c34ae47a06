import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";

export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** Debian's Chromium (`apt-get install chromium`), or CHROMIUM_PATH. */
export function findChromium(): string | undefined {
  const candidates = [
    process.env["CHROMIUM_PATH"],
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ];
  return candidates.find((p): p is string => Boolean(p && existsSync(p)));
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => done(port));
    });
  });
}

async function waitForOk(url: string, timeoutMs: number, child: ChildProcess, log: () => string) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${log()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} not healthy after ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until /health says the demo catalog is ready (`"demo":"ready"`); fails on `failed`. */
async function waitForDemo(url: string, timeoutMs: number, child: ChildProcess, log: () => string) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${log()}`);
    const demo = await fetch(url)
      .then((r) => r.json() as Promise<{ demo?: string }>)
      .then((b) => b.demo)
      .catch(() => undefined);
    if (demo === "ready") return;
    if (demo === "failed") throw new Error(`the demo catalog failed to load:\n${log()}`);
    if (Date.now() > until) throw new Error(`demo not ready after ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface LocalStack {
  apiUrl: string;
  webUrl: string;
  dataDir: string;
  admin: { username: string; password: string };
  stop(): Promise<void>;
}

/**
 * `npm start` as a user runs it — API, pipeline, analytics and the web server in one process —
 * on free ports, a temporary DATA_DIR and the embedded engines (server URLs are removed from
 * the environment), with the demo catalog and its admin account.
 */
export async function startLocalStack(): Promise<LocalStack> {
  const [port, webPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), "jonquils-e2e-"));
  const webUrl = `http://localhost:${webPort}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !["DATABASE_URL", "REDIS_URL", "NODE_ENV", "VITEST"].includes(k))
      env[k] = v;
  }
  Object.assign(env, {
    PORT: String(port),
    WEB_PORT: String(webPort),
    DATA_DIR: dataDir,
    CORS_ORIGINS: `${webUrl},http://127.0.0.1:${webPort}`,
    SEED_DEMO: "true",
    LOG_LEVEL: "warn",
    BCRYPT_COST: "4",
  });
  let output = "";
  const child = spawn(
    process.execPath,
    // What `npm start` runs: the prebuilt server (built here first if its sources changed).
    [join(ROOT, "packages/local/launch.mjs")],
    {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    // chDB may still be finishing a merge in the folder as the process ends.
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
  try {
    const apiUrl = `http://localhost:${port}`;
    await waitForOk(`${apiUrl}/health`, 120_000, child, () => output);
    await waitForOk(`${webUrl}/health`, 120_000, child, () => output);
    // The port opens before the demo catalog is seeded; its accounts file comes with `ready`.
    await waitForDemo(`${apiUrl}/health`, 120_000, child, () => output);
    const accounts = JSON.parse(await readFile(join(dataDir, "demo-accounts.json"), "utf8")) as {
      username: string;
      password: string;
      role: string;
    }[];
    const admin = accounts.find((a) => a.role === "admin")!;
    return { apiUrl, webUrl, dataDir, admin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A few seconds of a bright chord with a beat, as a 16-bit mono WAV (no title tag: the file name is the title). */
export function synthWav(seconds = 5, rate = 22_050): Buffer {
  const n = seconds * rate;
  const data = Buffer.alloc(n * 2);
  const notes = [261.63, 329.63, 392.0];
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const beat = Math.exp(-((t * 2) % 1) * 8); // 120 BPM pulses
    let v = notes.reduce((s, f) => s + Math.sin(2 * Math.PI * f * t), 0) / notes.length;
    v = 0.45 * v * (0.4 + 0.6 * beat) + 0.3 * beat * Math.sin(2 * Math.PI * 60 * t);
    data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, v)) * 32_000), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8);
  header.write("fmt ", 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

const CONTROL_ROLES = new Set([
  "button",
  "link",
  "textbox",
  "searchbox",
  "combobox",
  "slider",
  "checkbox",
  "radio",
  "tab",
  "spinbutton",
  "listbox",
  "menuitem",
  "switch",
]);

/** Interactive elements Chromium's accessibility tree gives no name (what a screen reader would announce as "button"). */
export async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as {
      nodes: {
        ignored?: boolean;
        role?: { value?: string };
        name?: { value?: string };
      }[];
    };
    return nodes
      .filter((n) => !n.ignored && CONTROL_ROLES.has(n.role?.value ?? "") && !n.name?.value?.trim())
      .map((n) => n.role!.value!);
  } finally {
    await cdp.detach();
  }
}
