import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "@jonquils/api";
import { createLogger, loadConfig } from "@jonquils/core";
import { afterAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "./testing/harness";
import { assembleLocalRuntime } from "./wiring";

describe("assembleLocalRuntime (the local root for a catalog the caller opened, as the benches do)", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it("stores objects on disk under DATA_DIR/objects, signs URLs on the given origin, and serves the app", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jq-local-root-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const config = loadConfig({
      LOG_LEVEL: "silent",
      DATA_DIR: dir,
      JWT_SECRET: "a-test-secret-that-is-at-least-32-characters",
      SEED_DEMO: "false",
    });
    const runtime = assembleLocalRuntime(config, await openTestDatabase("pglite"), {
      log: createLogger("silent"),
      publicUrl: "http://127.0.0.1",
    });
    cleanup.push(() => runtime.close());

    const objects = runtime.ports.objects;
    expect(objects.kind).toBe("local");
    await objects.put("covers", "probe/one.txt", new TextEncoder().encode("hello"), "text/plain");
    expect(existsSync(join(dir, "objects", "covers", "probe", "one.txt"))).toBe(true);
    const url = await objects.presignDownload("covers", "probe/one.txt", { expiresInSeconds: 60 });
    expect(url.startsWith("http://127.0.0.1/")).toBe(true);

    const app = createApp({ ...runtime, clientIp: () => "127.0.0.1" });
    const health = await app.request("/health");
    expect(health.status).toBe(200);
  });

  it("refuses a config without a JWT secret, naming it", async () => {
    const catalog = await openTestDatabase("pglite");
    cleanup.push(() => catalog.close());
    expect(() =>
      assembleLocalRuntime(loadConfig({ LOG_LEVEL: "silent" }), catalog, {
        log: createLogger("silent"),
      }),
    ).toThrow(/JWT_SECRET/);
  });
});
