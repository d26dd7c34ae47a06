import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(
    process.execPath,
    ["--import", "tsx", new URL("./import.ts", import.meta.url).pathname, ...args],
    { env: { PATH: process.env["PATH"] ?? "", ...env }, timeout: 60_000 },
  ).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: e.stdout + e.stderr,
    }),
  );

describe("npm run import: finds the server through DATA_DIR/server.json", () => {
  let dir = "";
  const seen: string[] = [];
  const trap = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push(body);
      res.writeHead(401).end();
    });
  });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "jq-import-"));
    await writeFile(
      join(dir, "demo-accounts.json"),
      JSON.stringify([{ username: "admin", password: "secret-admin-pw", role: "admin" }]),
    );
    await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    trap.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("says clearly when no server runs on the data folder, and sends nothing anywhere", async () => {
    const r = await run([dir], { DATA_DIR: dir });
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/No JONQUILS server runs on .*start it with `npm start`, or pass --api/);
    expect(seen).toEqual([]);
  });

  it("never sends the data folder's admin password to an address it did not find there", async () => {
    const api = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    const r = await run([dir, "--api", api], { DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/pass --login and --password/);
    expect(seen.join("")).not.toContain("secret-admin-pw");
  });
});
