import { createLogger } from "@jonquils/core";
import {
  isAnalyticsRecord,
  listenRecord,
  type AnalyticsRecord,
} from "@jonquils/core/analytics/records";
import type { AnalyticsStore } from "@jonquils/core/analytics/store";
import { createBatchingQueue } from "@jonquils/core/queue/queue";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openChdbStore } from "./chdb";
import { createSpoolSpill } from "./spool";

/** No event is lost while the analytics store is unreachable: memory stays bounded, the spool holds the rest. */
describe("ingestion while the analytics store is down", () => {
  let dir: string;
  let store: AnalyticsStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "jonquils-outage-"));
    store = await openChdbStore(join(dir, "chdb"));
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("spills to disk within the memory bound and replays once the store is back", async () => {
    let down = true;
    let refused = 0;
    const spool = createSpoolSpill<AnalyticsRecord>(join(dir, "spool"), {
      accept: isAnalyticsRecord,
    });
    const queue = createBatchingQueue<AnalyticsRecord>({
      kind: "memory",
      log: createLogger("silent"),
      batchSize: 500,
      flushMs: 20,
      bufferMax: 2000,
      attempts: 2,
      backoffMs: 5,
      spill: spool,
      // The real store behind a switch that makes it unreachable.
      send: (batch) => {
        if (down) {
          refused++;
          return Promise.reject(new Error("connection refused"));
        }
        return store.insert(batch);
      },
    });
    const trackId = randomUUID();
    const event = () =>
      listenRecord({
        at: Date.now(),
        trackId,
        userId: randomUUID(),
        artistId: randomUUID(),
        genreId: null,
        durationPlayedMs: 1000,
        completionPercentage: 40,
        platform: "web",
        deviceType: "desktop",
      });
    let maxBuffered = 0;
    for (let i = 0; i < 10_000; i++) {
      queue.enqueue(event());
      maxBuffered = Math.max(maxBuffered, queue.stats().buffered);
      if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await queue.flush();
    expect(refused).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(2000);
    expect(queue.stats()).toMatchObject({ spilled: 10_000, dropped: 0, buffered: 0 });
    expect(await spool.pending()).toBe(10_000);

    down = false;
    queue.enqueue(event()); // the first success triggers the replay
    const count = async () =>
      (
        await store.select<{ n: number }>(
          "SELECT count() AS n FROM track_analytics WHERE track_id = {t:UUID}",
          { t: trackId },
        )
      )[0]!.n;
    const until = Date.now() + 15_000;
    while (Date.now() < until && (await count()) < 10_001)
      await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(10_001);
    expect(await spool.pending()).toBe(0);
    await queue.close();
    expect(queue.stats()).toMatchObject({ dropped: 0, replayed: 10_000 });
  });
});
