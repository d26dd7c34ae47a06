import { SingleBar, Presets } from "cli-progress";
import { openAsBlob } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runningServer, serverBaseUrl } from "../server-record";

/**
 * `npm run import -- <folder>`: sends every audio file under a folder through the same path
 * an artist's browser uses — request an upload, POST the file to the signed URL — so the
 * pipeline ingests it. Resumable: files already uploaded (same name and size, not failed)
 * are skipped. `--wait` follows the pipeline until every file is done or failed.
 */
const AUDIO_TYPES: Record<string, string> = {
  ".mp3": "audio/mpeg",
  ".flac": "audio/flac",
  ".ogg": "audio/ogg",
  ".oga": "audio/ogg",
  ".opus": "audio/ogg",
  ".wav": "audio/wav",
  ".m4a": "audio/mp4",
  ".aac": "audio/aac",
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    api: { type: "string", default: process.env["JONQUILS_API"] },
    login: { type: "string", default: process.env["JONQUILS_LOGIN"] },
    password: { type: "string", default: process.env["JONQUILS_PASSWORD"] },
    concurrency: { type: "string", default: "2" },
    wait: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

const usage = `usage: npm run import -- <folder> [--api URL] [--login USER --password PW] [--concurrency N] [--wait]
  The server is the one DATA_DIR/server.json names (the running \`npm start\` on that data folder),
  or --api / JONQUILS_API. Credentials default to JONQUILS_LOGIN / JONQUILS_PASSWORD; the demo
  admin's password from DATA_DIR/demo-accounts.json is sent only to the server found in server.json.
  An artist's files are filed under their own profile; an admin's under the artists named in the tags.`;

const folder = positionals[0];
if (values.help || !folder) {
  process.stdout.write(usage + "\n");
  process.exit(folder ? 0 : 2);
}

const dataDir = process.env["DATA_DIR"] ?? ".jonquils";
/** The server: given explicitly, or the one that serves DATA_DIR (never a guessed address). */
const found = values.api ? null : await runningServer(dataDir);
if (!values.api && !found) {
  process.stderr.write(
    `No JONQUILS server runs on ${resolve(dataDir)} (no live DATA_DIR/server.json): start it with \`npm start\`, or pass --api URL.\n`,
  );
  process.exit(3);
}
const api = (values.api ?? serverBaseUrl(found!)).replace(/\/$/, "");

interface UploadView {
  id: string;
  status: "pending" | "processing" | "done" | "failed";
  filename: string;
  sizeBytes: number | null;
  trackId: string | null;
  failureReason: string | null;
}

async function call<T>(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<T> {
  const res = await fetch(api + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) {
    let detail = text;
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
    } catch {
      // not problem+json: keep the raw text
    }
    throw new Error(`${method} ${path}: ${res.status} ${detail}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

async function credentials(): Promise<{ login: string; password: string }> {
  if (values.login && values.password) return { login: values.login, password: values.password };
  // The data folder's admin password goes only to the server that data folder names.
  if (!found) {
    process.stderr.write(
      `--api ${api} was given: pass --login and --password for that server (the data folder's demo admin is sent only to the server in ${join(dataDir, "server.json")}).\n`,
    );
    process.exit(2);
  }
  try {
    const accounts = JSON.parse(await readFile(join(dataDir, "demo-accounts.json"), "utf8")) as {
      username: string;
      password: string;
      role: string;
    }[];
    const admin = accounts.find((a) => a.role === "admin");
    if (admin) return { login: admin.username, password: admin.password };
  } catch {
    // no demo accounts: fall through to the usage message
  }
  process.stderr.write(
    "No credentials: pass --login and --password (an artist or admin account).\n" + usage + "\n",
  );
  process.exit(2);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile() && AUDIO_TYPES[extname(entry.name).toLowerCase()]) out.push(path);
  }
  return out.sort();
}

async function listUploads(token: string): Promise<UploadView[]> {
  const all: UploadView[] = [];
  for (let offset: number | null = 0; offset !== null;) {
    const page: { items: UploadView[]; nextOffset: number | null } = await call(
      "GET",
      `/api/v1/uploads?limit=100&offset=${offset}`,
      token,
    );
    all.push(...page.items);
    offset = page.nextOffset;
  }
  return all;
}

const root = resolve(folder);
const files = await walk(root);
const { login, password } = await credentials();
let token: string;
try {
  token = (
    await call<{ accessToken: string }>("POST", "/api/v1/auth/login", null, { login, password })
  ).accessToken;
} catch (error) {
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  process.stderr.write(
    cause === "ECONNREFUSED"
      ? `No JONQUILS server answers at ${api}: is it running?\n`
      : `Signing in at ${api} failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(3);
}
const tokenAt = { t: Date.now() };
const fresh = async () => {
  if (Date.now() - tokenAt.t > 10 * 60_000) {
    token = (
      await call<{ accessToken: string }>("POST", "/api/v1/auth/login", null, { login, password })
    ).accessToken;
    tokenAt.t = Date.now();
  }
  return token;
};

const existing = await listUploads(token);
const seen = new Set(
  existing.filter((u) => u.status !== "failed").map((u) => `${u.filename}\u0000${u.sizeBytes}`),
);
const todo: { path: string; size: number }[] = [];
let skipped = 0;
for (const path of files) {
  const { size } = await stat(path);
  if (seen.has(`${basename(path)}\u0000${size}`)) skipped++;
  else todo.push({ path, size });
}
process.stdout.write(
  `${files.length} audio files under ${root}: ${skipped} already uploaded, ${todo.length} to send.\n`,
);

const bar = new SingleBar(
  { format: " {bar} {value}/{total} files | {percentage}% | {file}", hideCursor: true },
  Presets.shades_classic,
);
bar.start(todo.length, 0, { file: "" });
const sent: { id: string; path: string }[] = [];
const refused: { path: string; reason: string }[] = [];
let next = 0;
async function worker() {
  while (next < todo.length) {
    const item = todo[next++]!;
    const name = relative(root, item.path);
    bar.update({ file: name.slice(-50) });
    try {
      const req = await call<{
        upload: UploadView;
        presigned: { url: string; fields: Record<string, string>; fileField: string };
      }>("POST", "/api/v1/tracks/upload", await fresh(), {
        filename: basename(item.path),
        contentType: AUDIO_TYPES[extname(item.path).toLowerCase()],
        size: item.size,
      });
      const form = new FormData();
      for (const [k, v] of Object.entries(req.presigned.fields)) form.append(k, v);
      form.append(req.presigned.fileField, await openAsBlob(item.path), basename(item.path));
      const res = await fetch(req.presigned.url, { method: "POST", body: form });
      if (!res.ok) throw new Error(`upload refused: ${res.status} ${await res.text()}`);
      sent.push({ id: req.upload.id, path: name });
    } catch (error) {
      refused.push({ path: name, reason: error instanceof Error ? error.message : String(error) });
    }
    bar.increment();
  }
}
await Promise.all(Array.from({ length: Math.max(1, Number(values.concurrency) || 1) }, worker));
bar.stop();
process.stdout.write(`sent ${sent.length}, refused ${refused.length}, skipped ${skipped}\n`);
for (const r of refused) process.stdout.write(`  refused ${r.path}: ${r.reason}\n`);

if (values.wait && sent.length > 0) {
  const ids = new Set(sent.map((s) => s.id));
  const waitBar = new SingleBar(
    { format: " pipeline {bar} {value}/{total} finished" },
    Presets.shades_classic,
  );
  waitBar.start(ids.size, 0);
  let finished: UploadView[] = [];
  for (;;) {
    finished = (await listUploads(await fresh())).filter(
      (u) => ids.has(u.id) && (u.status === "done" || u.status === "failed"),
    );
    waitBar.update(finished.length);
    if (finished.length >= ids.size) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  waitBar.stop();
  const failed = finished.filter((u) => u.status === "failed");
  process.stdout.write(`done ${finished.length - failed.length}, failed ${failed.length}\n`);
  for (const f of failed) process.stdout.write(`  failed ${f.filename}: ${f.failureReason}\n`);
}
process.exit(refused.length > 0 ? 1 : 0);
