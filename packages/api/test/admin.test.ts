import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "@jonquils/core";
import {
  promoteToAdmin,
  registerUser,
  startTestApi,
  wirings,
  type TestApi,
} from "@jonquils/local/testing/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are arbitrary JSON
type Json = any;

describe.each(wirings())("admin views for the ops page ($name)", (wiring) => {
  let api: TestApi;
  let admin: { accessToken: string };
  let user: { accessToken: string; user: { id: string } };
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

  beforeAll(async () => {
    api = await startTestApi(wiring, {}, { analytics: true });
    user = await registerUser(api);
    admin = await promoteToAdmin(api, await registerUser(api));
    const db = api.runtime.ports.db;
    const [upload] = await db
      .insert(schema.trackUploads)
      .values({
        userId: user.user.id,
        originalFilename: "broken song.mp3",
        s3Path: "u/x/y/broken song.mp3",
        status: "failed",
        failureReason: "The file is not audio we can read.",
      })
      .returning();
    await db.insert(schema.etlJobs).values([
      {
        jobName: "ingest",
        status: "succeeded",
        startTime: minutesAgo(30),
        endTime: minutesAgo(29.9),
      },
      {
        jobName: "ingest",
        status: "failed",
        startTime: minutesAgo(10),
        endTime: minutesAgo(9.95),
        uploadId: upload!.id,
        error: "The file is not audio we can read.",
      },
      { jobName: "ingest", status: "running", startTime: minutesAgo(1) },
      {
        jobName: "ingest",
        status: "succeeded",
        startTime: minutesAgo(3 * 24 * 60),
        endTime: minutesAgo(3 * 24 * 60 - 1),
      },
    ]);
  });
  afterAll(() => api.close());

  it("lists pipeline runs newest first, with the file and why it failed", async () => {
    const res = await api.request("GET", "/api/v1/admin/etl-jobs?limit=2", {
      token: admin.accessToken,
    });
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.items.map((j: Json) => j.status)).toEqual(["running", "failed"]);
    expect(body.items[1]).toMatchObject({
      filename: "broken song.mp3",
      error: "The file is not audio we can read.",
      durationMs: 3000,
    });
    expect(body.items[0].endTime).toBeNull();
    expect(body.nextOffset).toBe(2);
    expect(body.last24h).toEqual({ running: 1, succeeded: 1, failed: 1 });

    const rest = await api.request("GET", "/api/v1/admin/etl-jobs?limit=2&offset=2", {
      token: admin.accessToken,
    });
    expect(rest.body.items).toHaveLength(2);
    expect(rest.body.nextOffset).toBeNull();
  });

  it("filters failures only", async () => {
    const res = await api.request("GET", "/api/v1/admin/etl-jobs?status=failed", {
      token: admin.accessToken,
    });
    expect(res.body.items.map((j: Json) => j.filename)).toEqual(["broken song.mp3"]);
  });

  it("is for admins only and validates its query", async () => {
    expect((await api.request("GET", "/api/v1/admin/etl-jobs")).status).toBe(401);
    const forbidden = await api.request("GET", "/api/v1/admin/etl-jobs", {
      token: user.accessToken,
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("content-type")).toContain("application/problem+json");
    for (const q of ["limit=0", "limit=101", "offset=-1", "status=exploded", "limit=abc"]) {
      const bad = await api.request("GET", `/api/v1/admin/etl-jobs?${q}`, {
        token: admin.accessToken,
      });
      expect(bad.status, q).toBe(400);
      expect(bad.body.code).toBe("validation_failed");
    }
    expect(
      (await api.request("GET", "/api/v1/admin/route-stats", { token: user.accessToken })).status,
    ).toBe(403);
    expect(
      (await api.request("GET", "/api/v1/admin/route-stats?hours=0", { token: admin.accessToken }))
        .status,
    ).toBe(400);
    expect(
      (
        await api.request("GET", "/api/v1/admin/route-stats?hours=721", {
          token: admin.accessToken,
        })
      ).status,
    ).toBe(400);
  });

  it("gives p95 latency and error rate per route, hour by hour, from the request log", async () => {
    for (let i = 0; i < 3; i++) await api.request("GET", "/api/v1/genres");
    await api.request("GET", "/api/v1/tracks/not-a-uuid");
    const until = Date.now() + 8000;
    let body: Json;
    for (;;) {
      const res = await api.request("GET", "/api/v1/admin/route-stats?hours=2", {
        token: admin.accessToken,
      });
      expect(res.status).toBe(200);
      body = res.body;
      const genres = body.routes.find(
        (r: Json) => r.route.includes("genres") && r.method === "GET",
      );
      if ((genres && genres.requests >= 3) || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body.bucket).toBe("hour");
    const genres = body.routes.find((r: Json) => r.route.includes("genres") && r.method === "GET");
    expect(genres.requests).toBeGreaterThanOrEqual(3);
    expect(genres.points[0]).toMatchObject({ errorRate: 0 });
    expect(genres.points[0].p95Ms).toBeGreaterThanOrEqual(0);
    expect(genres.points[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
  });
});
