import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  removeServerRecord,
  runningServer,
  serverBaseUrl,
  writeServerRecord,
} from "./server-record";

describe("the server record (PGlite's one-process lock)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "jq-record-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const record = (pid: number) => ({
    pid,
    host: "0.0.0.0",
    port: 8123,
    webPort: 3123,
    startedAt: new Date().toISOString(),
  });

  it("names a live server, and forgets one that died without cleaning up", async () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    try {
      await writeServerRecord(dir, record(child.pid!));
      const found = await runningServer(dir);
      expect(found).toMatchObject({ pid: child.pid, port: 8123 });
      expect(serverBaseUrl(found!)).toBe("http://127.0.0.1:8123");
    } finally {
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    expect(await runningServer(dir)).toBeNull();
  });

  it("is removed only by the process that wrote it", async () => {
    await writeServerRecord(dir, record(1));
    await removeServerRecord(dir);
    expect(JSON.parse(await readFile(join(dir, "server.json"), "utf8"))).toMatchObject({ pid: 1 });
    await writeServerRecord(dir, record(process.pid));
    expect(await runningServer(dir)).toBeNull(); // this process is not "another server"
    await removeServerRecord(dir);
    await expect(readFile(join(dir, "server.json"))).rejects.toThrow(/ENOENT/);
  });

  it("ignores a missing or unreadable record", async () => {
    const empty = await mkdtemp(join(tmpdir(), "jq-record-"));
    try {
      expect(await runningServer(empty)).toBeNull();
      await writeFile(join(empty, "server.json"), "{not json");
      expect(await runningServer(empty)).toBeNull();
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
