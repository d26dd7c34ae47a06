import { createLogger, loadConfig } from "@jonquils/core";
import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalAnalytics } from "./open";

const run = promisify(execFile);
const CHILD = resolve(fileURLToPath(new URL("./fixtures/ingest-child.ts", import.meta.url)));
const EVENTS = 30_000;

/**
 * A process stopped mid-batch loses nothing: its SIGTERM drain writes the in-flight and
 * buffered events to chDB, or — when the store is unreachable — to the spool, which the next
 * start replays. Child processes, because chDB is one data directory per process.
 */
describe("analytics across a process stop", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "jonquils-shutdown-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const child = (trackId: string, env: Record<string, string> = {}) =>
    run(process.execPath, ["--import", "tsx", CHILD], {
      env: { ...process.env, DATA_DIR: dataDir, TRACK_ID: trackId, EVENTS: String(EVENTS), ...env },
      timeout: 60_000,
    });

  it("drains into the store, or spills and replays on the next start", async () => {
    const written = randomUUID();
    const spilled = randomUUID();
    const first = await child(written);
    expect(JSON.parse(first.stdout)).toMatchObject({ sent: EVENTS, dropped: 0 });
    const second = await child(spilled, { STORE_DOWN: "1" });
    expect(JSON.parse(second.stdout)).toMatchObject({ spilled: EVENTS, dropped: 0, sent: 0 });
    expect(
      (await readdir(join(dataDir, "analytics-spool"))).filter((f) => f.endsWith(".ndjson")).length,
    ).toBeGreaterThan(0);

    // The next start: same DATA_DIR, the real local wiring (chDB), spool replayed on its own.
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "silent" });
    const analytics = openLocalAnalytics(config, createLogger("silent"));
    const count = async (trackId: string) =>
      (
        await analytics.port.store.select<{ n: number }>(
          "SELECT count() AS n FROM track_analytics WHERE track_id = {t:UUID}",
          { t: trackId },
        )
      )[0]!.n;
    try {
      expect(await count(written)).toBe(EVENTS);
      const until = Date.now() + 20_000;
      while (Date.now() < until && (await count(spilled)) < EVENTS)
        await new Promise((r) => setTimeout(r, 100));
      expect(await count(spilled)).toBe(EVENTS);
      // Nothing left to send, and nothing set aside.
      expect(
        (await readdir(join(dataDir, "analytics-spool"))).filter((f) => f !== "rejected"),
      ).toEqual([]);
      expect(await readdir(join(dataDir, "analytics-spool", "rejected"))).toEqual([]);
    } finally {
      await analytics.close();
    }
  });
});
