/**
 * The README's tour, upload, search, statistics and monitoring examples, pasted into bash as a
 * newcomer would, against `npm start` on a fresh data folder. Only the port is changed
 * (localhost:8000 → a free one) so the test never meets a developer's running server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./bench/startup";
import { onPort, readmeBlocks } from "./testing/readme";

const REPO = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const has = (tool: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const tools = ["bash", "curl", "jq"].filter((t) => !has(t));
if (tools.length > 0)
  console.info(`[jonquils] README examples skipped: install ${tools.join(", ")} to run them.`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** The JSON values curl printed back to back (its bodies end without a newline). */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") {
      if (depth++ === 0) start = i;
    } else if ((ch === "}" || ch === "]") && depth > 0 && --depth === 0) {
      values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
}

/** PATH and friends only: a developer's DATABASE_URL or REDIS_URL must not leak into `npm start`. */
function baseEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "TMPDIR", "LANG", "TERM"]) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}

async function waitHealthy(port: number, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited(child)) throw new Error(`npm start exited early:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`no healthy /health:\n${output()}`);
    try {
      const res = await fetch(`http://localhost:${port}/health`);
      const body = (await res.json()) as { demo?: string };
      // The port opens before the demo catalog is seeded: the README's examples need it.
      if (res.status === 200 && body.demo !== "loading") return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
}

/** SIGTERM to the process group; resolves once every process of it is gone (npm exits before its node child has flushed). */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const group = -child.pid;
  const alive = () => {
    try {
      process.kill(group, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(group, "SIGTERM");
  // Bounded: a zombie left to a PID 1 that does not reap still "exists" for kill(…, 0).
  for (let waited = 0; alive() && waited < 30_000; waited += 100) {
    if (waited === 20_000) process.kill(group, "SIGKILL");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs bash code in the work folder; `npm` runs the repository's scripts, as from a clone. */
function runBash(code: string, cwd: string, env: Record<string, string>): Promise<string> {
  const prelude = `npm() { command npm --prefix "${REPO}" "$@"; }\n`;
  return new Promise((resolveRun, reject) => {
    const child = spawn("bash", ["-c", prelude + code], { cwd, env, detached: true });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      void stopGroup(child);
      reject(new Error(`README block timed out:\n${out}`));
    }, 180_000);
    child.on("exit", () => {
      clearTimeout(timer);
      // Anything the block left in the background (its own `npm start &`) goes too.
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // nothing left
      }
      resolveRun(out);
    });
  });
}

/** Splits one bash session's output at the markers written between blocks. */
function sections(output: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of output.split("\n@@ ").slice(1)) {
    const nl = part.indexOf("\n");
    map.set(part.slice(0, nl).replace(/ @@$/, ""), part.slice(nl + 1));
  }
  return map;
}

describe.skipIf(tools.length > 0)("README examples, pasted as written", () => {
  let work = "";
  let env: Record<string, string> = {};
  let server: ChildProcess | undefined;
  let serverOutput = "";
  let port = 0;
  const outputs = new Map<string, string>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "jonquils-readme-"));
    await copyFile(
      join(REPO, "packages/pipeline/test/fixtures/03 - Night_Drive.mp3"),
      join(work, "song.mp3"),
    );
    port = await freePort();
    env = baseEnv({
      DATA_DIR: join(work, ".jonquils"),
      PORT: String(port),
      WEB_PORT: String(await freePort()),
      MONITOR_INTERVAL_MINUTES: "0",
    });
    server = spawn("npm", ["start", "--silent"], {
      cwd: REPO,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout?.on("data", (d: Buffer) => (serverOutput += d.toString()));
    server.stderr?.on("data", (d: Buffer) => (serverOutput += d.toString()));
    await waitHealthy(port, server, () => serverOutput);

    const blocks = await readmeBlocks(join(REPO, "README.md"), [
      "A tour with curl",
      "Upload a file and watch the pipeline",
      "Search",
      "Listening statistics",
    ]);
    // One shell for all four, as the README's later blocks use variables of the earlier ones.
    const script = blocks
      .map((b) => `printf '\\n@@ %s @@\\n' ${JSON.stringify(b.section)}\n${onPort(b.code, port)}`)
      .join("\n");
    for (const [k, v] of sections(await runBash(script, work, env))) outputs.set(k, v);
  }, 300_000);

  afterAll(async () => {
    if (server) await stopGroup(server);
    // chDB may still be finishing a merge in the folder as the server ends.
    if (work) await rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }, 60_000);

  it("the tour creates an account, an artist, an album, tracks and a playlist without an error", () => {
    const out = outputs.get("A tour with curl") ?? "";
    // Problem details carry a `code`; the tour must never meet one.
    expect(out).not.toMatch(/"status":\s*[45]\d\d/);
    expect(out).toContain('"username":"ada"');
    expect(out).toContain('"title":"Bernoulli"');
    expect(out).toContain('"title":"Note G"');
  });

  it("an uploaded file becomes a track that streams with Range", () => {
    const out = outputs.get("Upload a file and watch the pipeline") ?? "";
    expect(out).toContain('"status":"done"');
    expect(out).toMatch(/"durationMs":\d+/);
    expect(out.trimEnd().endsWith("206")).toBe(true);
  });

  it("search finds what its comments promise, typos and Cyrillic included", () => {
    const values = jsonValues(outputs.get("Search") ?? "") as {
      items?: { title?: string; text?: string }[];
    }[];
    expect(values).toHaveLength(5);
    const first = (i: number) => values[i]?.items?.[0]?.title;
    expect(first(0)).toBe("Glass Lake");
    expect(first(1)).toBe("Ёлка во дворе");
    expect(first(2)).toBe("Çok Uzak");
    expect(JSON.stringify(values[3])).toContain("Déjà Vu");
    expect(values[4]).toHaveProperty("items");
  });

  it("the server npm start runs (prebuilt) answers a client's mistakes as it does under tsx", async () => {
    // A bundled copy of hono beside an external one broke `instanceof HTTPException`: broken
    // JSON then answered 500 instead of 400.
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{bad",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(((await res.json()) as { code?: string }).code).toBe("malformed_json");
  });

  it("a listen shows up in the listener's statistics", () => {
    const out = outputs.get("Listening statistics") ?? "";
    expect(out).not.toMatch(/"status":\s*[45]\d\d/);
    expect(out).toMatch(/"plays":\s*[1-9]/);
  });

  it("monitoring finds the two broken records, from the CLI and the admin API", async () => {
    // "with the server stopped": the block stops nothing itself, a person does.
    await stopGroup(server!);
    const [block] = await readmeBlocks(join(REPO, "README.md"), ["Monitoring"]);
    // A person waits for the server they started in the background before the next command.
    const code = onPort(block!.code, port).replace(
      /^npm start &.*$/m,
      (line) => `${line}\nuntil curl -sf localhost:${port}/health >/dev/null; do sleep 0.5; done`,
    );
    const out = await runBash(code, work, env);
    expect(out).toMatch(/ALERT .*no duration/);
    expect(out).toMatch(/ALERT .*no tempo, energy or valence/);
    expect(out).toMatch(/"[^"\n]*no duration[^"\n]*"/);
  }, 240_000);
});
