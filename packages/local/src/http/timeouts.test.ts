import { createLogger } from "@jonquils/core";
import type { Server } from "node:http";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebServer, type WebServer } from "../web-server";
import { HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS } from "./timeouts";

/**
 * Behind a proxy (ALB 60 s idle, nginx), the server must not close an idle keep-alive
 * connection first: Node's default (5 s) makes a proxy reuse a socket being closed → ECONNRESET.
 */
const PORT = 18231;
let dir: string;
let web: WebServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "jonquils-timeouts-"));
  await mkdir(join(dir, "dist"));
  await writeFile(join(dir, "dist", "index.html"), "<!doctype html><html><head></head></html>");
  web = startWebServer({
    port: PORT,
    hostname: "127.0.0.1",
    apiUrl: "http://127.0.0.1:18230",
    log: createLogger("silent"),
    webDir: dir,
    distDir: join(dir, "dist"),
    build: false,
  });
  await web.ready;
});
afterAll(async () => {
  (web.server as Server).closeAllConnections();
  await web.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends one GET on the socket and resolves with the status line of the answer. */
function get(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const onData = (d: Buffer) => {
      buf += d.toString();
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buf)?.[1] ?? 0);
      if (buf.length - end - 4 < length) return;
      socket.off("data", onData);
      resolve(buf.split("\r\n")[0]!);
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.once("close", () => reject(new Error("the server closed the idle connection")));
    socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
  });
}

describe("local HTTP servers keep idle connections longer than proxies do", () => {
  it("sets keep-alive 65 s and headers 66 s on the server", () => {
    const server = web.server as unknown as { keepAliveTimeout: number; headersTimeout: number };
    expect(server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
    expect(server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(HEADERS_TIMEOUT_MS).toBeGreaterThan(KEEP_ALIVE_TIMEOUT_MS);
    expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000);
  });

  it("answers a second request on a connection left idle for 6 s", async () => {
    const socket = connect(PORT, "127.0.0.1");
    let closedAt = 0;
    socket.on("close", () => (closedAt = performance.now()));
    try {
      expect(await get(socket)).toMatch(/^HTTP\/1\.1 200/);
      await new Promise((r) => setTimeout(r, 6000));
      expect(closedAt).toBe(0);
      expect(await get(socket)).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      socket.destroy();
    }
  }, 20_000);
});
