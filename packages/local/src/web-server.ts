import { serve, type ServerType } from "@hono/node-server";
import type { Logger } from "@jonquils/core";
import { Hono } from "hono";
import { compress } from "hono/compress";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { open, readdir, readFile, stat, unlink } from "node:fs/promises";
import { extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { answerMalformedRequests } from "./http/client-errors";
import { applyProxyTimeouts } from "./http/timeouts";
import type { Server } from "node:http";

/** The web app's folder (web/) and its build output (web/dist). */
export const WEB_DIR = resolve(fileURLToPath(new URL("../../../web", import.meta.url)));
export const DIST_DIR = join(WEB_DIR, "dist");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
};

interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

/** The strict policy the SPA is built for: no inline script or style, the API as the only other origin. */
export function contentSecurityPolicy(apiOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' ${apiOrigin} data: blob:`,
    `media-src 'self' ${apiOrigin} blob:`,
    `connect-src 'self' ${apiOrigin}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Points the built index.html at this deployment's API (the meta tag the SPA reads). */
export function injectApiUrl(html: string, apiUrl: string): string {
  return html.replace(
    /<meta name="jonquils-api-url" content="[^"]*"\s*\/?>/,
    `<meta name="jonquils-api-url" content="${escapeAttr(apiUrl)}" />`,
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Reads the whole build into memory (it is a few hundred kB): no disk access per request. */
export async function loadDist(distDir: string, apiUrl: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const path of await listFiles(distDir)) {
    let body: Uint8Array<ArrayBuffer> = new Uint8Array(await readFile(path));
    const urlPath = `/${relative(distDir, path).split(sep).join("/")}`;
    if (urlPath === "/index.html") {
      body = new TextEncoder().encode(injectApiUrl(new TextDecoder().decode(body), apiUrl));
    }
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    files.set(urlPath, {
      body,
      type: TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
      etag,
    });
  }
  if (!files.has("/index.html")) throw new Error(`${distDir} has no index.html`);
  return files;
}

export type WebState =
  | { status: "ready"; files: Map<string, StaticFile> }
  | { status: "building" }
  | { status: "failed"; error: string };

const BUILDING_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="2"><title>JONQUILS</title></head>
<body><p>The web app is being built. This page reloads by itself in a moment.</p></body></html>`;

/**
 * The web server: the built SPA with a history fallback to index.html, long caching for
 * hashed assets, a strict CSP, and GET /health. `state` can change while it runs (a build
 * finishing after start-up).
 */
export function createWebApp(options: { apiUrl: string; state: () => WebState }) {
  const apiOrigin = new URL(options.apiUrl).origin;
  const csp = contentSecurityPolicy(apiOrigin);
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    c.header("Content-Security-Policy", csp);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "strict-origin-when-cross-origin");
    c.header("X-Frame-Options", "DENY");
    c.header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    c.header("Cross-Origin-Opener-Policy", "same-origin");
  });
  app.use(compress());

  app.get("/health", (c) => {
    const state = options.state();
    c.header("Cache-Control", "no-store");
    if (state.status === "ready") return c.json({ status: "ok", api: options.apiUrl }, 200);
    if (state.status === "building") return c.json({ status: "building" }, 503);
    return c.json({ status: "unavailable", error: state.error }, 503);
  });

  app.on(["GET", "HEAD"], "*", (c) => {
    const state = options.state();
    if (state.status !== "ready") {
      c.header("Retry-After", "2");
      c.header("Cache-Control", "no-store");
      return c.html(
        state.status === "building"
          ? BUILDING_PAGE
          : `<!doctype html><title>JONQUILS</title><p>The web app could not be built: ${escapeAttr(state.error)}</p>`,
        503,
      );
    }
    let path: string;
    try {
      path = decodeURIComponent(c.req.path);
    } catch {
      return c.text("Bad request: malformed percent-encoding in the path.", 400);
    }
    let file = state.files.get(path);
    let cache = path.startsWith("/assets/")
      ? "public, max-age=31536000, immutable"
      : "public, max-age=300";
    if (!file) {
      // A missing asset is a 404, not the app: a stale tab must not run HTML as a script.
      if (path.startsWith("/assets/") || extname(path) !== "") {
        return c.text("Not found", 404);
      }
      file = state.files.get("/index.html")!;
      cache = "no-cache";
    } else if (path === "/index.html") {
      cache = "no-cache";
    }
    c.header("ETag", file.etag);
    c.header("Cache-Control", cache);
    // Compression weakens the ETag (W/"…"): compare the opaque part.
    const tags = (c.req.header("if-none-match") ?? "")
      .split(",")
      .map((t) => t.trim().replace(/^W\//, ""));
    if (tags.includes(file.etag)) return c.body(null, 304);
    c.header("Content-Type", file.type);
    return c.body(file.body, 200);
  });

  app.all("*", (c) => c.text("Method not allowed", 405, { Allow: "GET, HEAD" }));
  return app;
}

/** Newest modification time among the web app's sources. */
async function newestSource(webDir: string): Promise<number> {
  let newest = 0;
  const visit = async (path: string) => {
    const s = await stat(path).catch(() => null);
    if (!s) return;
    if (s.isDirectory()) {
      for (const name of await readdir(path)) {
        if (!name.endsWith(".test.tsx") && !name.endsWith(".test.ts"))
          await visit(join(path, name));
      }
    } else newest = Math.max(newest, s.mtimeMs);
  };
  for (const p of ["src", "public", "index.html", "vite.config.ts"]) await visit(join(webDir, p));
  return newest;
}

/** True when web/dist is missing or older than a source file. */
export async function needsBuild(webDir = WEB_DIR, distDir = join(webDir, "dist")) {
  const index = join(distDir, "index.html");
  if (!existsSync(index)) return true;
  const built = (await stat(index)).mtimeMs;
  return (await newestSource(webDir)) > built;
}

/** `vite build` in-process (a second or two); only where the dev dependencies are installed. */
export async function buildWeb(webDir = WEB_DIR, outDir = join(webDir, "dist")) {
  const { build } = await import("vite");
  await build({
    configFile: join(webDir, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir },
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Runs `fn` while holding `<webDir>/.build.lock` (created exclusively, with this pid): two
 * servers started at once from one checkout (two terminals, parallel test suites) must not
 * build into the same web/dist together — vite empties it first, and the other one would
 * load and serve half a build. A lock whose process is gone is taken over.
 */
export async function withBuildLock<T>(
  webDir: string,
  fn: () => Promise<T>,
  timeoutMs = 5 * 60_000,
): Promise<T> {
  const lock = join(webDir, ".build.lock");
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lock, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(await readFile(lock, "utf8").catch(() => ""));
      // Empty: its holder is between creating and writing it — wait like for a live one.
      if (holder > 0 && !alive(holder)) {
        await unlink(lock).catch(() => {});
        continue;
      }
      if (Date.now() > until) throw new Error(`web/dist is locked by process ${holder} (${lock})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => {});
  }
}

export interface WebServer {
  readonly server: ServerType;
  /** Resolves once the app is being served (after a build, if one was needed). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens at once; builds web/dist first if it is missing or stale (answering 503 "building"
 * meanwhile), so `npm start` never waits for the web app.
 */
export function startWebServer(options: {
  port: number;
  hostname: string;
  apiUrl: string;
  log: Logger;
  webDir?: string;
  distDir?: string;
  build?: boolean;
}): WebServer {
  const webDir = options.webDir ?? WEB_DIR;
  const distDir = options.distDir ?? join(webDir, "dist");
  let state: WebState = { status: "building" };
  const app = createWebApp({ apiUrl: options.apiUrl, state: () => state });
  const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname });
  answerMalformedRequests(server);
  applyProxyTimeouts(server as Server);
  const ready = (async () => {
    const started = performance.now();
    try {
      const files =
        options.build !== false && (await needsBuild(webDir, distDir))
          ? await withBuildLock(webDir, async () => {
              // Another server may have built it while this one waited for the lock.
              if (await needsBuild(webDir, distDir)) {
                options.log.info(
                  "building the web app (web/dist is missing or older than web/src)",
                );
                await buildWeb(webDir, distDir);
              }
              return loadDist(distDir, options.apiUrl);
            })
          : await loadDist(distDir, options.apiUrl);
      state = { status: "ready", files };
      options.log.info(
        {
          url: `http://localhost:${options.port}`,
          api: options.apiUrl,
          readyMs: Math.round(performance.now() - started),
        },
        "JONQUILS web app listening",
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      state = { status: "failed", error: message };
      options.log.error(
        { err: error },
        "the web app could not be built or loaded; run npm run build",
      );
    }
  })();
  return {
    server,
    ready,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
