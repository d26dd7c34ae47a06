import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import { refreshAnalyticsAggregates } from "@jonquils/core/analytics/refresh";
import { createOutboxDrainer, enqueueOutbox } from "@jonquils/core/outbox/index";
import { listenRecord } from "@jonquils/core/analytics/records";
import {
  registerArtist,
  registerUser,
  startTestApi,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;

async function eventually(check: () => Promise<boolean>, ms = 8000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(wirings())("listens: lossless, idempotent, fair popularity ($name)", (wiring) => {
  let api: TestApi;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  const newTrack = async (title: string) => {
    const res = await api.request("POST", "/api/v1/tracks", {
      token: artist.accessToken,
      body: { title, durationMs: 200_000 },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const listen = (token: string, body: Json, key?: string) =>
    api.request("POST", "/api/v1/analytics/listen", {
      token,
      body,
      ...(key ? { headers: { "idempotency-key": key } } : {}),
    });
  const store = () => api.runtime.ports.analytics.store;
  const analyticsCount = async (trackId: string) =>
    Number(
      (
        await store().select<{ n: string }>(
          "SELECT count() AS n FROM track_analytics WHERE track_id = {id:UUID}",
          { id: trackId },
        )
      )[0]?.n ?? 0,
    );
  const dailyPlays = async (trackId: string) =>
    Number(
      (
        await store().select<{ n: string }>(
          "SELECT sum(plays) AS n FROM track_daily WHERE track_id = {id:UUID}",
          { id: trackId },
        )
      )[0]?.n ?? 0,
    );
  const historyCount = async (trackId: string) =>
    (
      await api.runtime.ports.db
        .select({ id: schema.listeningHistory.id })
        .from(schema.listeningHistory)
        .where(eq(schema.listeningHistory.trackId, trackId))
    ).length;

  beforeAll(async () => {
    api = await startTestApi(wiring, {}, { analytics: true });
    artist = await registerArtist(api);
  });
  afterAll(() => api.close());

  it("writes the analytics event in the listen's transaction (outbox) and delivers it once", async () => {
    const trackId = await newTrack("Outbox Song");
    const u = await registerUser(api);
    const res = await listen(u.accessToken, { trackId, playDurationMs: 60_000 });
    expect(res.status).toBe(202);
    await eventually(async () => (await analyticsCount(trackId)) === 1);
    expect(await historyCount(trackId)).toBe(1);
    expect((await api.runtime.ports.outbox!.pending())["analytics"] ?? 0).toBe(0);
  });

  it("keeps accepted listens while the analytics store is down and delivers them after", async () => {
    const trackId = await newTrack("Outage Song");
    const u = await registerUser(api);
    const real = store().insert.bind(store());
    const s = store() as { insert: typeof real };
    s.insert = () => Promise.reject(new Error("store down"));
    try {
      for (let i = 0; i < 20; i++)
        expect((await listen(u.accessToken, { trackId, playDurationMs: 40_000 })).status).toBe(202);
      await new Promise((r) => setTimeout(r, 300));
      expect(await analyticsCount(trackId)).toBe(0);
      expect((await api.runtime.ports.outbox!.pending())["analytics"]).toBeGreaterThanOrEqual(20);
    } finally {
      s.insert = real;
    }
    // Claims of the failed batches go stale after 15 s; a fresh drain takes them back.
    await api.runtime.ports.db.execute(
      sql`update outbox_events set claimed_at = now() - interval '1 minute' where batch_id is not null`,
    );
    await api.runtime.ports.outbox!.drain();
    await eventually(async () => (await analyticsCount(trackId)) === 20);
    expect(await dailyPlays(trackId)).toBe(20);
  });

  it("counts a batch sent twice (crash after the insert, before the outbox row was cleared) once", async () => {
    const trackId = await newTrack("Twice Song");
    const u = await registerUser(api);
    await api.runtime.ports.db.transaction((tx) =>
      enqueueOutbox(
        tx,
        "analytics",
        Array.from({ length: 7 }, (_, i) =>
          listenRecord({
            at: Date.now() - i,
            trackId,
            userId: u.user.id,
            artistId: artist.artistId,
            genreId: null,
            durationPlayedMs: 45_000,
            completionPercentage: 22.5,
            platform: "web",
            deviceType: "desktop",
          }),
        ),
      ),
    );
    // A drainer that inserts, then dies before deleting the batch; a second one finds the claim
    // stale and sends the same batch again.
    const sent: number[] = [];
    const crashing = createOutboxDrainer(
      api.runtime.ports.db,
      api.runtime.ports.log,
      {
        analytics: async (batchId, payloads) => {
          sent.push(batchId);
          const { createHash } = await import("node:crypto");
          const digest = createHash("sha256").update(JSON.stringify(payloads)).digest("hex");
          await store().insert(payloads as never, {
            dedupToken: `outbox-${batchId}-${digest.slice(0, 24)}`,
          });
          throw new Error("killed before the outbox row was deleted");
        },
      },
      { intervalMs: 0, staleMs: 0 },
    );
    // Claimed just now as one batch (as a drainer that then died would leave them), so the
    // runtime's own drainer leaves them alone until the claim is stale (15 s).
    await api.runtime.ports.db.execute(sql`
      update outbox_events set claimed_at = now(), batch_id = b.first
      from (select min(id) as first from outbox_events
            where batch_id is null and payload->'values'->>1 = ${trackId}) b
      where batch_id is null and payload->'values'->>1 = ${trackId}`);
    await crashing.drain();
    expect(sent.length).toBeGreaterThanOrEqual(1);
    await api.runtime.ports.db.execute(
      sql`update outbox_events set claimed_at = now() - interval '1 minute' where batch_id is not null`,
    );
    await api.runtime.ports.outbox!.drain();
    expect((await api.runtime.ports.outbox!.pending())["analytics"] ?? 0).toBe(0);
    expect(await analyticsCount(trackId)).toBe(7);
    expect(await dailyPlays(trackId)).toBe(7);
    await crashing.close();
  });

  it("answers a repeated Idempotency-Key with the first answer and counts it once", async () => {
    const trackId = await newTrack("Retry Song");
    const u = await registerUser(api);
    const key = randomUUID();
    const body = { trackId, playDurationMs: 120_000, platform: "web", deviceType: "desktop" };
    const first = await listen(u.accessToken, body, key);
    expect(first.status).toBe(202);
    const again = await Promise.all([1, 2, 3].map(() => listen(u.accessToken, body, key)));
    for (const r of again) {
      expect(r.status).toBe(202);
      expect(r.body).toEqual(first.body);
    }
    const other = await listen(u.accessToken, { ...body, playDurationMs: 5_000 }, key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("idempotency_key_reused");
    // Another user may use the same key for their own play.
    const v = await registerUser(api);
    expect((await listen(v.accessToken, body, key)).status).toBe(202);
    expect(await historyCount(trackId)).toBe(2);
    await eventually(async () => (await analyticsCount(trackId)) === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(await analyticsCount(trackId)).toBe(2);
    const bad = await listen(u.accessToken, body, "has spaces in it");
    expect(bad.status).toBe(400);
    const [row] = await api.runtime.ports.db
      .select()
      .from(schema.idempotencyKeys)
      .where(
        and(eq(schema.idempotencyKeys.userId, u.user.id), eq(schema.idempotencyKeys.key, key)),
      );
    expect(row?.scope).toBe("listen");
  });

  it("does not let one account's flood of listens make a track #1 (≥ 30 s, ≤ 3 per listener and day)", async () => {
    const flooded = await newTrack("Flooded Song");
    const loved = await newTrack("Loved Song");
    const skimmed = await newTrack("Skimmed Song");
    const flooder = await registerUser(api);
    for (let i = 0; i < 60; i++)
      expect(
        (await listen(flooder.accessToken, { trackId: flooded, playDurationMs: 31_000 })).status,
      ).toBe(202);
    for (let i = 0; i < 4; i++) {
      const fan = await registerUser(api);
      expect(
        (await listen(fan.accessToken, { trackId: loved, playDurationMs: 150_000 })).status,
      ).toBe(202);
      // Short plays are kept but never count for popularity.
      for (let j = 0; j < 5; j++)
        await listen(fan.accessToken, { trackId: skimmed, playDurationMs: 29_000 });
    }
    await eventually(async () => (await analyticsCount(flooded)) === 60);
    await eventually(async () => (await analyticsCount(skimmed)) === 20);
    await refreshAnalyticsAggregates({ ...api.runtime.ports, meta: {} });
    const popular = await api.request("GET", "/api/v1/tracks/popular?limit=100");
    expect(popular.status).toBe(200);
    const ours = (popular.body.items as Json[])
      .filter((t) => [flooded, loved, skimmed].includes(t.id))
      .map((t) => ({ id: t.id, popularity: t.popularity }));
    expect(ours[0]?.id).toBe(loved);
    const score = (id: string) => ours.find((t) => t.id === id)?.popularity ?? 0;
    expect(score(loved)).toBeGreaterThan(score(flooded));
    expect(score(skimmed)).toBe(0);
    // Raw listens are all kept: the history and analytics have every one.
    expect(await historyCount(flooded)).toBe(60);
    expect(await dailyPlays(flooded)).toBe(60);
  });
});
