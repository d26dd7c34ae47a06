import {
  registerArtist,
  startTestApi,
  type TestApiWithStorage,
} from "@jonquils/local/testing/harness";
import { schema } from "@jonquils/core";
import { eq, like } from "drizzle-orm";
import { readFile } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { MIN_GROWTH } from "../src/steps/genre";

const fixture = (name: string) => readFile(new URL(`./fixtures/${name}`, import.meta.url));

async function ingest(api: TestApiWithStorage, token: string, name: string) {
  const body = new Uint8Array(await fixture(name));
  const ticket = await api.request("POST", "/api/v1/tracks/upload", {
    token,
    body: { filename: name, contentType: "audio/wav", size: body.byteLength },
  });
  expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.body.presigned.fields as Record<string, string>))
    form.append(k, v);
  form.append("file", new Blob([body], { type: "audio/wav" }), name);
  await api.fetchUrl(ticket.body.presigned.url, { method: "POST", body: form });
  await Promise.all(api.executions);
  await api.pipeline!.drain();
  const up = (await api.request("GET", `/api/v1/uploads/${ticket.body.upload.id}`, { token })).body;
  expect(up.status).toBe("done");
  return (await api.request("GET", `/api/v1/tracks/${up.trackId}`)).body;
}

type Features = { tempo: number | null; energy: number; valence: number; loudness: number };

/** An album tagged classical by people, every track sounding exactly like `like`. */
async function classicalAlbum(api: TestApiWithStorage, token: string, like: Features, n: number) {
  const genres = (await api.request("GET", "/api/v1/genres")).body.items;
  const classical = genres.find((g: { slug: string }) => g.slug === "classical").id;
  for (let i = 0; i < n; i++) {
    const res = await api.request("POST", "/api/v1/tracks", {
      token,
      body: { title: `Movement ${i + 1}`, genreId: classical, ...like },
    });
    expect(res.status).toBe(201);
  }
}

const genreOf = (t: Record<string, unknown>) => ({
  genre: t.genre,
  genreSource: t.genreSource,
  genreConfidence: t.genreConfidence,
  genreModelVersion: t.genreModelVersion,
  genreAbstainReason: t.genreAbstainReason,
});

describe("genre model: no flip with import order; versioned; retrained when the catalog grows", () => {
  const apis: TestApiWithStorage[] = [];
  afterAll(() => Promise.all(apis.map((a) => a.close())));
  const start = async () => {
    const api = await startTestApi({ db: "pglite", redis: false }, {}, { pipeline: true });
    apis.push(api);
    return { api, artist: await registerArtist(api, "Order Test") };
  };
  let firstThenAlbum: ReturnType<typeof genreOf>;
  let features: Features;

  it("an untagged file imported BEFORE a classical album …", async () => {
    const { api, artist } = await start();
    const track = await ingest(api, artist.accessToken, "music.wav");
    features = {
      tempo: track.tempo,
      energy: track.energy,
      valence: track.valence,
      loudness: track.loudness,
    };
    firstThenAlbum = genreOf(track);
    // The prediction (or abstention) names the model it came from: the shipped reference model.
    expect(track.genreModelVersion).toMatch(/^genre-ref-[0-9a-f]{12}$/);
    if (track.genre === null) expect(track.genreAbstainReason).toMatch(/best guess/);
    else {
      expect(track.genreSource).toBe("predicted");
      expect(track.genreConfidence).toBeGreaterThanOrEqual(0.6);
      expect(track.genreAbstainReason).toBeNull();
    }
    await classicalAlbum(api, artist.accessToken, features, 8);
  });

  it("… gets the same genre, confidence and model as when imported AFTER it", async () => {
    const { api, artist } = await start();
    // Eight tracks tagged classical that sound exactly like the file: the old k-NN answered
    // "classical, confidence 1.00" here and something else when the file came first.
    await classicalAlbum(api, artist.accessToken, features, 8);
    const track = await ingest(api, artist.accessToken, "music.wav");
    expect(genreOf(track)).toEqual(firstThenAlbum);
  });

  it(`retrains when the catalog's tagged tracks grew by ${MIN_GROWTH}: later predictions carry the new version`, async () => {
    const { api, artist } = await start();
    const before = await ingest(api, artist.accessToken, "music.wav");
    await classicalAlbum(api, artist.accessToken, features, MIN_GROWTH);
    // POST /tracks takes no audio descriptors: give the fifty the file's own timbre (what a
    // track analysed from audio stores in tracks.timbre), so they really sound exactly like
    // it. Without it they would be imputed at the mean timbre, and the file's own timbre —
    // a synth-and-drums loop — rightly keeps pointing elsewhere.
    const db = api.runtime.ports.db;
    const [own] = await db
      .select({ timbre: schema.tracks.timbre })
      .from(schema.tracks)
      .where(eq(schema.tracks.id, before.id));
    expect(own?.timbre).toBeTruthy();
    await db
      .update(schema.tracks)
      .set({ timbre: own!.timbre })
      .where(like(schema.tracks.title, "Movement %"));
    // The aggregate step of this upload sees the grown catalog and trains a new model.
    await ingest(api, artist.accessToken, "quiet.wav");
    const after = await ingest(api, artist.accessToken, "music.wav");
    expect(after.genreModelVersion).toMatch(/^genre-lr-[0-9a-f]{12}$/);
    expect(after.genreModelVersion).not.toBe(before.genreModelVersion);
    // Fifty classical tracks that sound exactly like it: now the model says classical.
    expect(after.genre?.slug).toBe("classical");
    expect(after.genreConfidence).toBeGreaterThan(0.6);
    expect(after.genreConfidence).toBeLessThanOrEqual(1);
  });
});
