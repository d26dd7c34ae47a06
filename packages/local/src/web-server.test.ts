import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebApp, loadDist, needsBuild, withBuildLock, type WebState } from "./web-server";

const API = "http://localhost:8123";
let dist: string;
let state: WebState;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), "jonquils-web-"));
  await mkdir(join(dist, "assets"));
  await writeFile(
    join(dist, "index.html"),
    '<!doctype html><html><head><meta name="jonquils-api-url" content="http://localhost:8000" />' +
      '<script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>',
  );
  await writeFile(join(dist, "assets", "index-abc123.js"), "console.log('app');".repeat(200));
  await writeFile(join(dist, "favicon.svg"), "<svg></svg>");
  state = { status: "ready", files: await loadDist(dist, API) };
});
afterAll(() => rm(dist, { recursive: true, force: true }));

const app = () => createWebApp({ apiUrl: API, state: () => state });

describe("web server", () => {
  it("answers 400, not 500, for a path with broken percent-encoding", async () => {
    const res = await app().request("/%E0%A4%A");
    expect(res.status).toBe(400);
  });

  it("answers /health", async () => {
    const res = await app().request("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", api: API });
  });

  it("serves the app for any page path, pointed at its API, under a strict CSP", async () => {
    for (const path of ["/", "/search?q=night", "/tracks/5f0c7f6e-8a4b-4b43-9a0e-0d7a9d1b2c3d"]) {
      const res = await app().request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      const html = await res.text();
      expect(html).toContain(`<meta name="jonquils-api-url" content="${API}" />`);
      expect(html).not.toContain("localhost:8000");
      const csp = res.headers.get("content-security-policy")!;
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain(`connect-src 'self' ${API}`);
      expect(csp).toContain(`media-src 'self' ${API} blob:`);
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  it("caches hashed assets for a year, compresses them and answers 304 to a matching ETag", async () => {
    const res = await app().request("/assets/index-abc123.js", {
      headers: { "accept-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-type")).toContain("text/javascript");
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const etag = res.headers.get("etag")!;
    const again = await app().request("/assets/index-abc123.js", {
      headers: { "if-none-match": etag },
    });
    expect(again.status).toBe(304);
  });

  it("answers 404 for a missing file rather than the app", async () => {
    expect((await app().request("/assets/index-old999.js")).status).toBe(404);
    expect((await app().request("/robots.txt")).status).toBe(404);
    expect((await app().request("/favicon.svg")).status).toBe(200);
  });

  it("refuses writes", async () => {
    const res = await app().request("/", { method: "POST", body: "x" });
    expect(res.status).toBe(405);
  });

  it("says so while the app is still being built", async () => {
    const building = createWebApp({ apiUrl: API, state: () => ({ status: "building" }) });
    const health = await building.request("/health");
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "building" });
    const page = await building.request("/");
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("2");
    expect(await page.text()).toContain("being built");
  });

  it("rebuilds when web/dist is missing or older than a source file", async () => {
    const web = await mkdtemp(join(tmpdir(), "jonquils-websrc-"));
    try {
      await mkdir(join(web, "src"));
      await writeFile(join(web, "src", "main.tsx"), "export {};");
      expect(await needsBuild(web)).toBe(true);
      await mkdir(join(web, "dist"));
      await writeFile(join(web, "dist", "index.html"), "<!doctype html>");
      const past = new Date(Date.now() - 60_000);
      await utimes(join(web, "src", "main.tsx"), past, past);
      expect(await needsBuild(web)).toBe(false);
      await writeFile(join(web, "src", "main.tsx"), "export const changed = 1;");
      expect(await needsBuild(web)).toBe(true);
    } finally {
      await rm(web, { recursive: true, force: true });
    }
  });

  it("lets one server at a time build web/dist, and takes over the lock of a process that is gone", async () => {
    const web = await mkdtemp(join(tmpdir(), "jonquils-weblock-"));
    try {
      const log: string[] = [];
      const build = (name: string) =>
        withBuildLock(web, async () => {
          log.push(`${name} start`);
          await new Promise((r) => setTimeout(r, 100));
          log.push(`${name} end`);
        });
      await Promise.all([build("a"), build("b")]);
      expect(log).toEqual(["a start", "a end", "b start", "b end"]);
      expect(existsSync(join(web, ".build.lock"))).toBe(false);

      // A server killed mid-build left its lock behind: the next one does not wait for ever.
      const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
      await writeFile(join(web, ".build.lock"), dead.stdout.toString());
      let ran = false;
      await withBuildLock(web, async () => void (ran = true), 2_000);
      expect(ran).toBe(true);
    } finally {
      await rm(web, { recursive: true, force: true });
    }
  });
});
