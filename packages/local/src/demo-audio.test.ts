import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachDemoAudio } from "./demo-audio";
import { seedDemo } from "./seed-demo";
import { startTestApi, type TestApiWithStorage } from "./testing/harness";

describe("demo catalog", () => {
  let api: TestApiWithStorage;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "jq-demo-"));
    api = await startTestApi(
      { db: "pglite", redis: false },
      { DATA_DIR: dataDir },
      { pipeline: true },
    );
  });
  afterAll(async () => {
    await api.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("loads accounts that can sign in, artists, albums, tracks and playlists", async () => {
    const accounts = await seedDemo(api.runtime);
    expect(accounts.map((a) => a.role).sort()).toEqual([
      "admin",
      "artist",
      "artist",
      "artist",
      "user",
    ]);
    const admin = accounts.find((a) => a.role === "admin")!;
    const login = await api.request("POST", "/api/v1/auth/login", {
      body: { login: admin.username, password: admin.password },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe("admin");
    const tracks = await api.request("GET", "/api/v1/tracks?limit=100");
    expect(tracks.body.items.length).toBeGreaterThanOrEqual(15);
    expect((await api.request("GET", "/api/v1/albums")).body.items.length).toBeGreaterThanOrEqual(
      5,
    );
  });

  it("attaches playable clips that stream with Range, once, without starting the pipeline", async () => {
    const before = api.executions.length;
    const attached = await attachDemoAudio(api.runtime);
    expect(attached).toBeGreaterThanOrEqual(15);
    expect(api.executions.length).toBe(before);
    const [first] = (await api.request("GET", "/api/v1/tracks?limit=1&sort=popularity")).body.items;
    expect(first).toMatchObject({ hasAudio: true, fileFormat: "wav", durationMs: 30_000 });
    const stream = await api.request("GET", `/api/v1/tracks/${first.id}/stream`);
    const partial = await api.fetchUrl(stream.body.url, { headers: { range: "bytes=0-43" } });
    expect(partial.status).toBe(206);
    expect(new TextDecoder().decode((await partial.arrayBuffer()).slice(0, 4))).toBe("RIFF");
    expect(await attachDemoAudio(api.runtime)).toBe(0);
  });

  it("shows the demo tracks playable, with the clips' length, in search once clips are attached", async () => {
    const all = await api.request("GET", "/api/v1/tracks?limit=100");
    expect(all.body.items.length).toBeGreaterThanOrEqual(15);
    for (const track of all.body.items.slice(0, 6) as { id: string; title: string }[]) {
      const found = await api.request(
        "GET",
        `/api/v1/search/tracks?q=${encodeURIComponent(track.title)}`,
      );
      expect(found.status, JSON.stringify(found.body)).toBe(200);
      const doc = (found.body.items as { id: string }[]).find((t) => t.id === track.id);
      expect(doc, track.title).toMatchObject({ hasAudio: true, durationMs: 30_000 });
    }
  });
});
