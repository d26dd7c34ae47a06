import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serverProcess } from "./server-process";

/**
 * kill -9 of `npm start`'s server while it ingests real audio files (the upload form, the disk
 * store, the in-process workflow), then a restart: every upload must end `done`, or `failed`
 * with a reason, within 2 minutes — nothing left uploading or processing for ever.
 */
const PORT = 18330;
const WEB_PORT = 18331;
const BASE = `http://127.0.0.1:${PORT}`;
const PASSWORD = "correct horse battery";
const FIXTURES = new URL("../../pipeline/test/fixtures/", import.meta.url);
/** Real recordings in the formats the pipeline takes (decoded, analysed, tagged). */
const FILES: [string, string][] = [
  ["bench-source.mp3", "audio/mpeg"],
  ["music.flac", "audio/flac"],
  ["music.wav", "audio/wav"],
  ["music.ogg", "audio/ogg"],
  ["music.m4a", "audio/mp4"],
  ["tagged.mp3", "audio/mpeg"],
  ["03 - Night_Drive.mp3", "audio/mpeg"],
  ["music.opus", "audio/ogg"],
];

let dataDir = "";
const {
  start: startServer,
  waitHealthy,
  api,
  stop: stopServer,
} = serverProcess({ port: PORT, webPort: WEB_PORT, env: { PUBLIC_URL: BASE } });

type Upload = { id: string; status: string; failureReason: string | null };

describe("kill -9 during ingestion", () => {
  afterAll(async () => {
    await stopServer("SIGTERM");
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("leaves every upload done, or failed with a reason, within 2 minutes of the restart", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "jq-kill-ingest-"));
    startServer(dataDir);
    await waitHealthy();

    const reg = await api("POST", "/api/v1/auth/register", undefined, {
      username: "ingestkill",
      email: "ingestkill@example.com",
      password: PASSWORD,
    });
    expect(reg.status).toBe(201);
    expect(
      (await api("POST", "/api/v1/artists", reg.body.accessToken, { name: "Kill Ingest" })).status,
    ).toBe(201);
    const token = (
      await api("POST", "/api/v1/auth/refresh", undefined, { refreshToken: reg.body.refreshToken })
    ).body.accessToken as string;

    // Every file through the presigned form, in parallel (twice over: 16 uploads).
    const ids: string[] = [];
    await Promise.all(
      [...FILES, ...FILES].map(async ([name, type], i) => {
        const bytes = new Uint8Array(await readFile(new URL(name, FIXTURES)));
        const filename = `${i}-${name}`;
        const ticket = await api("POST", "/api/v1/tracks/upload", token, {
          filename,
          contentType: type,
          size: bytes.byteLength,
        });
        expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
        ids.push(ticket.body.upload.id as string);
        const { url, fields } = ticket.body.presigned as {
          url: string;
          fields: Record<string, string>;
        };
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        form.append("file", new Blob([bytes], { type }), filename);
        const posted = await fetch(url, { method: "POST", body: form });
        expect(posted.status, await posted.text()).toBeLessThan(300);
      }),
    );
    // Kill while the workflow has files in hand.
    const statuses = async () =>
      Promise.all(
        ids.map(async (id) => (await api("GET", `/api/v1/uploads/${id}`, token)).body as Upload),
      );
    let before: Upload[] = [];
    for (let i = 0; i < 40; i++) {
      before = await statuses();
      if (before.some((u) => u.status === "processing")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await stopServer("SIGKILL");
    const unfinished = before.filter((u) => u.status !== "done" && u.status !== "failed").length;

    const restarted = Date.now();
    startServer(dataDir);
    await waitHealthy();
    let after: Upload[] = [];
    while (Date.now() - restarted < 120_000) {
      after = await statuses();
      if (after.every((u) => u.status === "done" || u.status === "failed")) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const settledMs = Date.now() - restarted;
    const count = (s: string) => after.filter((u) => u.status === s).length;
    console.log(
      `[faults] kill -9 during ingestion: ${ids.length} uploads, ${unfinished} unfinished at the kill; after the restart ${count("done")} done, ${count("failed")} failed, in ${(settledMs / 1000).toFixed(1)} s`,
    );
    expect(unfinished).toBeGreaterThan(0);
    for (const u of after) {
      expect(["done", "failed"], JSON.stringify(u)).toContain(u.status);
      if (u.status === "failed") expect(u.failureReason, JSON.stringify(u)).toBeTruthy();
    }
    expect(settledMs).toBeLessThan(120_000);
  });
});
