import { schema } from "@jonquils/core";
import {
  promoteToAdmin,
  registerArtist,
  registerUser,
  startTestApi,
  wirings,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { eq } from "drizzle-orm";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url));

const TYPES: Record<string, string> = {
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  flac: "audio/flac",
  m4a: "audio/mp4",
};

/** Uploads a file the way a browser does: request a ticket, POST the form to the signed URL. */
async function upload(
  api: TestApiWithStorage,
  token: string,
  name: string,
  bytes?: Uint8Array,
  filename = name,
) {
  const body = bytes ?? new Uint8Array(await fixture(name));
  const contentType = TYPES[name.split(".").pop()!] ?? "audio/mpeg";
  const ticket = await api.request("POST", "/api/v1/tracks/upload", {
    token,
    body: { filename, contentType, size: body.byteLength },
  });
  expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.body.presigned.fields as Record<string, string>))
    form.append(k, v);
  form.append("file", new Blob([body], { type: contentType }), filename);
  const res = await api.fetchUrl(ticket.body.presigned.url, { method: "POST", body: form });
  return { uploadId: ticket.body.upload.id as string, status: res.status };
}

async function settle(api: TestApiWithStorage) {
  await Promise.all(api.executions);
  await api.pipeline!.drain();
}

/** Uploads, waits for the pipeline, and returns the upload as its owner sees it. */
async function ingest(api: TestApiWithStorage, token: string, name: string, filename = name) {
  const { uploadId } = await upload(api, token, name, undefined, filename);
  await settle(api);
  return (await api.request("GET", `/api/v1/uploads/${uploadId}`, { token })).body;
}

describe.each(wirings())("ingestion pipeline, end to end ($name)", (wiring) => {
  let api: TestApiWithStorage;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  beforeAll(async () => {
    api = await startTestApi(wiring, {}, { pipeline: true });
    artist = await registerArtist(api, "Jonquil Test Band");
  });
  afterAll(() => api.close());

  it("takes a tagged MP3 from upload to catalog: tags, features, genre, cover, stream", async () => {
    const { uploadId, status } = await upload(api, artist.accessToken, "tagged.mp3");
    expect(status).toBeLessThan(300);
    await settle(api);
    const up = await api.request("GET", `/api/v1/uploads/${uploadId}`, {
      token: artist.accessToken,
    });
    expect(up.body).toMatchObject({ status: "done", failureReason: null });
    const track = await api.request("GET", `/api/v1/tracks/${up.body.trackId}`);
    expect(track.status).toBe(200);
    expect(track.body.title).toBe("Ёлка — Café");
    expect(track.body.artist.name).toBe("Jonquil Test Band");
    expect(track.body.album.title).toBe("Fixtures, Vol. 1");
    expect(track.body.year).toBe(2021);
    expect(track.body.durationMs).toBeGreaterThan(3000);
    expect(track.body.tempo).toBeGreaterThan(0);
    expect(track.body.tempoConfidence).toBeGreaterThan(0);
    expect(track.body.tempoConfidence).toBeLessThanOrEqual(1);
    expect(track.body.tempoReason).toBeNull();
    // Loudness in LUFS and the ReplayGain 2.0 gain the player's "Normalize volume" applies.
    expect(track.body.loudness).toBeLessThan(0);
    expect(track.body.trackGainDb).toBeCloseTo(-18 - track.body.loudness, 1);
    expect(track.body.truePeakDb).toBeLessThanOrEqual(1);
    expect(track.body.energy).toBeGreaterThan(0);
    expect(track.body.valence).toBeGreaterThanOrEqual(0);
    expect(track.body.genre.slug).toBe("electronic");
    expect(track.body.genreSource).toBe("tag");
    expect(track.body.fileFormat).toBe("mp3");
    expect(track.body.hasAudio).toBe(true);
    expect(track.body.coverUrl).toMatch(/\/cover/);
    // A thumbnail exists in the covers bucket.
    const covers = [];
    for await (const o of api.store.list("covers", `uploads/${uploadId}/`)) covers.push(o.key);
    expect(covers.sort()).toEqual([
      `uploads/${uploadId}/cover-300.webp`,
      `uploads/${uploadId}/cover-64.webp`,
    ]);
    // The track's cover URL redirects to a signed WebP.
    const cover = await api.app.request(track.body.coverUrl);
    expect(cover.status).toBe(302);
    const image = await api.fetchUrl(cover.headers.get("location")!);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toContain("image/webp");
    const small = await api.app.request(`/api/v1/tracks/${track.body.id}/cover?size=64`);
    expect(small.status).toBe(302);
    // One etl_jobs row, succeeded, with timings.
    const jobs = await api.runtime.ports.db
      .select()
      .from(schema.etlJobs)
      .where(eq(schema.etlJobs.uploadId, uploadId));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.status).toBe("succeeded");
    expect(jobs[0]!.endTime!.getTime()).toBeGreaterThanOrEqual(jobs[0]!.startTime.getTime());
    // The stream URL answers a Range request with 206.
    const stream = await api.request("GET", `/api/v1/tracks/${track.body.id}/stream`, {
      token: artist.accessToken,
    });
    expect(stream.status).toBe(200);
    const partial = await api.fetchUrl(stream.body.url, { headers: { range: "bytes=0-99" } });
    expect(partial.status).toBe(206);
    expect((await partial.arrayBuffer()).byteLength).toBe(100);
  });

  it("ingests a batch of formats; bad files fail alone with a reason, the rest are done", async () => {
    const names = [
      "music.wav",
      "music.ogg",
      "music.flac",
      "music.m4a",
      "03 - Night_Drive.mp3",
      "silent.wav",
      "not-audio.mp3",
      "truncated.mp3",
      "corrupt-cover.mp3",
    ];
    const ids = new Map<string, string>();
    for (const name of names) ids.set(name, (await upload(api, artist.accessToken, name)).uploadId);
    // A hostile, Unicode file name: stored inside the uploader's folder, ingested like any other.
    const hostileView = await ingest(
      api,
      artist.accessToken,
      "music.ogg",
      "../../../etc/Ёлка — ночь.ogg",
    );
    expect(hostileView.status).toBe("done");
    expect(hostileView.key).toMatch(new RegExp(`^u/${artist.user.id}/${hostileView.id}/[^/]+$`));
    expect(hostileView.key).not.toContain("..");
    const result = new Map<
      string,
      { status: string; failureReason: string | null; trackId: string | null }
    >();
    for (const [name, id] of ids)
      result.set(
        name,
        (await api.request("GET", `/api/v1/uploads/${id}`, { token: artist.accessToken })).body,
      );

    for (const good of [
      "music.wav",
      "music.ogg",
      "music.flac",
      "music.m4a",
      "03 - Night_Drive.mp3",
      "silent.wav",
      "corrupt-cover.mp3",
    ]) {
      expect(result.get(good), good).toMatchObject({ status: "done" });
    }
    for (const bad of ["not-audio.mp3", "truncated.mp3"]) {
      const r = result.get(bad)!;
      expect(r.status, bad).toBe("failed");
      expect(r.failureReason, bad).toMatch(/[a-z]{4,}/);
      expect(r.failureReason, bad).not.toMatch(/internal error/);
    }
    const untagged = await api.request(
      "GET",
      `/api/v1/tracks/${result.get("03 - Night_Drive.mp3")!.trackId}`,
    );
    expect(untagged.body.title).toBe("Night Drive");
    const silent = await api.request("GET", `/api/v1/tracks/${result.get("silent.wav")!.trackId}`);
    expect(silent.body.genre).toBeNull();
    expect(silent.body.energy).toBe(0);
    const ogg = await api.request("GET", `/api/v1/tracks/${result.get("music.ogg")!.trackId}`);
    expect(ogg.body.genre?.slug).toBe("hip-hop");
    expect(ogg.body.fileFormat).toBe("ogg");
    const flac = await api.request("GET", `/api/v1/tracks/${result.get("music.flac")!.trackId}`);
    expect(flac.body.genre?.slug).toBe("jazz");
    expect(flac.body.coverUrl).toBeTruthy();
  });

  it("refuses a zero-byte upload at the signed URL, and nothing reaches the pipeline", async () => {
    const before = api.events.length;
    const ticket = await api.request("POST", "/api/v1/tracks/upload", {
      token: artist.accessToken,
      body: { filename: "empty.mp3", contentType: "audio/mpeg", size: 1 },
    });
    const form = new FormData();
    for (const [k, v] of Object.entries(ticket.body.presigned.fields as Record<string, string>))
      form.append(k, v);
    form.append("file", new Blob([new Uint8Array(0)], { type: "audio/mpeg" }), "empty.mp3");
    const res = await api.fetchUrl(ticket.body.presigned.url, { method: "POST", body: form });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(api.events.length).toBe(before);
  });

  it("processing the same object twice yields one track", async () => {
    const { uploadId } = await upload(api, artist.accessToken, "music.wav", undefined, "again.wav");
    await settle(api);
    const event = api.events.filter((e) => e.key.startsWith("u/")).at(-1)!;
    const second = await api.pipeline!.start(event);
    expect(second.status).toBe("SUCCEEDED");
    // The track plays the verified copy under a/…; the upload target itself is gone.
    const rows = await api.runtime.ports.db
      .select({ id: schema.tracks.id })
      .from(schema.tracks)
      .where(eq(schema.tracks.filePath, event.key.replace(/^u\//, "a/")));
    expect(rows).toHaveLength(1);
    const jobs = await api.runtime.ports.db
      .select()
      .from(schema.etlJobs)
      .where(eq(schema.etlJobs.uploadId, uploadId));
    expect(jobs).toHaveLength(1);
  });

  it("files an admin's upload under the tagged artist, merging names that differ by case and spacing", async () => {
    const admin = await promoteToAdmin(api, await registerUser(api));
    const up = await ingest(api, admin.accessToken, "id3v1.mp3");

    expect(up.status).toBe("done");
    const track = (await api.request("GET", `/api/v1/tracks/${up.trackId}`)).body;
    expect(track.artist.name).toBe("Vintage Band");
    expect(track.title).toBe("Old School");
    // ID3v1 genre 17 is Rock.
    expect(track.genre?.slug).toBe("rock");
    // An untagged file from an admin is filed under "Unknown Artist", not refused.
    const up2 = await ingest(api, admin.accessToken, "03 - Night_Drive.mp3", "admin-untagged.mp3");
    expect(up2.status).toBe("done");
    expect((await api.request("GET", `/api/v1/tracks/${up2.trackId}`)).body.artist.name).toBe(
      "Unknown Artist",
    );
    const existing = await api.request("POST", "/api/v1/artists", {
      token: admin.accessToken,
      body: { name: "vintage   BAND", unlinked: true },
    });
    expect(existing.status).toBe(409);
  });
});

describe("ingestion pipeline: retries, genre prediction, dead letters", () => {
  let api: TestApiWithStorage;
  let artist: Awaited<ReturnType<typeof registerArtist>>;
  let loadCalls = 0;
  beforeAll(async () => {
    api = await startTestApi(
      { db: "pglite", redis: false },
      {},
      {
        pipeline: {
          handlers: {
            // The first Load fails like a dropped connection; the retry succeeds.
            Load: async (input: never) => {
              loadCalls++;
              if (loadCalls === 1)
                throw Object.assign(new Error("connection reset"), { name: "TransientError" });
              const { load } = await import("../src/steps/load");
              return load(
                { ...api.runtime.ports, analyseAudio: true },
                (input as { job: never }).job,
              );
            },
          },
        },
      },
    );
    artist = await registerArtist(api, "Retry Artist");
  });
  afterAll(() => api.close());

  it("retries a transient failure and still ends done", async () => {
    const up = await ingest(api, artist.accessToken, "music.wav");
    expect(loadCalls).toBe(2);

    expect(up.status).toBe("done");
  });

  it("predicts a genre from audio features when the file has none, with its confidence, and abstains with a reason when unsure", async () => {
    // Teach the model: tracks with features and a genre chosen by people.
    const jazz = (await api.request("GET", "/api/v1/genres")).body.items.find(
      (g: { slug: string }) => g.slug === "ambient",
    ).id;
    const metal = (await api.request("GET", "/api/v1/genres")).body.items.find(
      (g: { slug: string }) => g.slug === "metal",
    ).id;
    for (let i = 0; i < 6; i++) {
      await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: {
          title: `calm ${i}`,
          genreId: jazz,
          tempo: 70 + i,
          energy: 0.05 + i * 0.01,
          valence: 0.3,
          loudness: -40 - i,
        },
      });
      await api.request("POST", "/api/v1/tracks", {
        token: artist.accessToken,
        body: {
          title: `loud ${i}`,
          genreId: metal,
          tempo: 170 + i,
          energy: 0.9,
          valence: 0.5,
          loudness: -4 - i * 0.2,
        },
      });
    }
    // An untagged steady-beat synth loop at a mastered loudness: in the reference set's range.
    const up = await ingest(api, artist.accessToken, "music.wav");

    expect(up.status).toBe("done");
    const track = (await api.request("GET", `/api/v1/tracks/${up.trackId}`)).body;
    expect(track.genreSource).toBe("predicted");
    expect(track.genre).not.toBeNull();
    // A calibrated probability at or above the model's threshold (it abstains below), and
    // the version of the model that said so (the shipped reference model: 12 tracks are too
    // few to retrain on).
    expect(track.genreConfidence).toBeGreaterThanOrEqual(0.6);
    expect(track.genreConfidence).toBeLessThanOrEqual(1);
    expect(track.genreModelVersion).toMatch(/^genre-ref-[0-9a-f]{12}$/);
    expect(track.genreAbstainReason).toBeNull();

    // The same loop 20 dB down (−33 LUFS) is unlike every genre the model learnt: it abstains,
    // saying why, rather than guessing.
    const quiet = await ingest(api, artist.accessToken, "quiet.wav");
    expect(quiet.status).toBe("done");
    const unsure = (await api.request("GET", `/api/v1/tracks/${quiet.trackId}`)).body;
    expect(unsure.genre).toBeNull();
    expect(unsure.genreSource).toBeNull();
    expect(unsure.genreAbstainReason).toMatch(/unlike every genre the model knows/);
  });

  it("keeps an event for an object nobody asked to upload as a failed run, not a crash", async () => {
    await api.store.put(
      "tracks",
      "u/00000000-0000-4000-8000-000000000000/00000000-0000-4000-8000-000000000001/x.mp3",
      new Uint8Array(await fixture("tagged.mp3")),
      "audio/mpeg",
    );
    await settle(api);
    const outcome = await Promise.all(api.executions);
    expect(outcome.at(-1)!.status).toBe("FAILED");
  });
});
