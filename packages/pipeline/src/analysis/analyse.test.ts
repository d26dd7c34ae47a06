import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyseAudio, SILENT_WARNING } from "./analyse";
import { TITLE_FROM_FILE_NAME_WARNING } from "./tags";
import { UnreadableAudioError, type TrackAnalysis } from "./types";
import { encodeWav } from "./wav";
import { musicLike } from "./synth";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));
const load = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));

async function analyse(name: string, analyse = true): Promise<TrackAnalysis> {
  return analyseAudio(load(name), { filename: name, analyse });
}

async function rejection(name: string, analyse = true): Promise<UnreadableAudioError> {
  try {
    await analyseAudio(load(name), { filename: name, analyse });
  } catch (error) {
    expect(error).toBeInstanceOf(UnreadableAudioError);
    return error as UnreadableAudioError;
  }
  throw new Error(`${name} was accepted`);
}

const UNICODE_TITLE = "Ёлка — Café";

describe("analyseAudio: every fixture is analysed or rejected with a reason", () => {
  const accepted = [
    "music.wav",
    "quiet.wav",
    "silent.wav",
    "tagged.mp3",
    "03 - Night_Drive.mp3",
    "id3v1.mp3",
    "corrupt-cover.mp3",
    "truncated-half.mp3",
    "music.ogg",
    "music.flac",
    "music.m4a",
    "music.opus",
    "bench-source.mp3",
  ];
  for (const name of accepted) {
    for (const mode of [true, false]) {
      it(`${name} (${mode ? "full analysis" : "tags only"})`, async () => {
        const result = await analyse(name, mode);
        expect(result.format.durationMs).toBeGreaterThan(1500);
        expect(result.format.durationMs).toBeLessThan(4200);
        expect(result.tags.title).toBeTruthy();
        if (mode) {
          expect(result.features).not.toBeNull();
          expect(result.features?.energy).toBeGreaterThanOrEqual(0);
          expect(result.features?.energy).toBeLessThanOrEqual(1);
          expect(result.features?.valence).toBeGreaterThanOrEqual(0);
          expect(result.features?.valence).toBeLessThanOrEqual(1);
        } else {
          expect(result.features).toBeNull();
        }
        // JSON-serialisable but for the cover.
        expect(JSON.parse(JSON.stringify({ ...result, cover: null }))).toEqual({
          ...result,
          cover: null,
        });
      });
    }
  }

  const rejected: [string, RegExp][] = [
    ["empty.mp3", /empty \(0 bytes\)/],
    ["not-audio.mp3", /not an audio file.*\.mp3/],
    ["bogus.wav", /not an audio file/],
    ["truncated.mp3", /could not be decoded: the file is truncated or damaged/],
    ["music.wma", /unsupported audio format: Windows Media Audio.*supported: MP3/],
  ];
  for (const [name, reason] of rejected) {
    for (const mode of [true, false]) {
      it(`rejects ${name} (${mode ? "full analysis" : "tags only"})`, async () => {
        const error = await rejection(name, mode);
        expect(error.reason).toMatch(reason);
        expect(error.message).toBe(error.reason);
      });
    }
  }
});

describe("analyseAudio: tags", () => {
  it("reads ID3v2 (UTF-16) tags and the cover from an MP3", async () => {
    const { tags, cover, format, warnings } = await analyse("tagged.mp3");
    expect(tags).toEqual({
      title: UNICODE_TITLE,
      artist: "Jonquil Test Band",
      albumArtist: null,
      album: "Fixtures, Vol. 1",
      genres: ["Electronica"],
      year: 2021,
      trackNumber: 1,
      discNumber: null,
      // These fixtures carry no lyrics.
      lyrics: [],
    });
    expect(cover?.mime).toBe("image/jpeg");
    expect(cover?.data).toEqual(load("cover.jpg"));
    expect(format).toMatchObject({
      container: "MPEG",
      codec: "MPEG 1 Layer 3",
      bitrate: 96000,
      lossless: false,
    });
    expect(warnings).toEqual([]);
  });

  it("reads Vorbis comments from Ogg, with the year from a full date", async () => {
    const { tags, format } = await analyse("music.ogg");
    expect(tags).toMatchObject({
      title: UNICODE_TITLE,
      artist: "Jonquil Test Band",
      genres: ["Hip Hop"],
      year: 2019,
      trackNumber: 2,
    });
    expect(format).toMatchObject({ container: "Ogg", codec: "Vorbis I", lossless: false });
  });

  it("reads FLAC tags and its PICTURE block", async () => {
    const { tags, cover, format } = await analyse("music.flac");
    expect(tags).toEqual({
      title: UNICODE_TITLE,
      artist: "Jonquil Test Band",
      albumArtist: "Various Artists",
      album: "Fixtures, Vol. 1",
      genres: ["Jazz"],
      year: 2018,
      trackNumber: 3,
      discNumber: 1,
      // These fixtures carry no lyrics.
      lyrics: [],
    });
    expect(cover?.mime).toBe("image/jpeg");
    expect(cover?.data).toEqual(load("cover.jpg"));
    expect(format).toMatchObject({ container: "FLAC", lossless: true, sampleRate: 22050 });
  });

  it("reads iTunes atoms from M4A and decodes its AAC audio", async () => {
    const { tags, format, features, warnings } = await analyse("music.m4a");
    expect(tags).toMatchObject({
      title: UNICODE_TITLE,
      album: "Fixtures, Vol. 1",
      genres: ["R&B"],
      year: 2020,
      trackNumber: 4,
    });
    expect(format).toMatchObject({ container: "MPEG-4", codec: "MPEG-4/AAC" });
    expect(features?.tempo).toBeCloseTo(120, -0.5);
    expect(warnings).toEqual([]);
  });

  it("reads Opus tags and decodes Opus (always 48 kHz)", async () => {
    const { tags, format, features } = await analyse("music.opus");
    expect(tags).toMatchObject({ title: "Opus Fixture", genres: ["Lo-Fi"] });
    expect(format).toMatchObject({ container: "Ogg", codec: "Opus", sampleRate: 48000 });
    expect(features?.tempo).toBeCloseTo(120, -0.5);
  });

  it("resolves an ID3v1 numeric genre (17 → Rock)", async () => {
    const { tags } = await analyse("id3v1.mp3", false);
    expect(tags).toMatchObject({ title: "Old School", artist: "Vintage Band", genres: ["Rock"] });
  });

  it("takes the title from the file name when there is no title tag, with a warning", async () => {
    const { tags, warnings } = await analyse("03 - Night_Drive.mp3");
    expect(tags.title).toBe("Night Drive");
    expect(tags.artist).toBeNull();
    expect(warnings).toContain(TITLE_FROM_FILE_NAME_WARNING);
  });

  it("keeps a corrupt cover as found (thumbnails decide; the track is fine)", async () => {
    const { cover, features } = await analyse("corrupt-cover.mp3");
    expect(cover?.mime).toBe("image/jpeg");
    expect(cover?.data.length).toBeGreaterThan(1000);
    expect(features).not.toBeNull();
  });

  it("uses the file name as the parser hint only: the content decides", async () => {
    const result = await analyseAudio(load("tagged.mp3"), {
      filename: "upload.bin",
      mimeType: "application/octet-stream",
      analyse: false,
    });
    expect(result.format.container).toBe("MPEG");
    expect(result.tags.title).toBe(UNICODE_TITLE);
  });
});

describe("analyseAudio: duration, truncation and silence", () => {
  it("takes the duration from the decoded audio (4.000 s), not the container (4.049 s)", async () => {
    expect((await analyse("03 - Night_Drive.mp3", true)).format.durationMs).toBe(4000);
    expect((await analyse("03 - Night_Drive.mp3", false)).format.durationMs).toBe(4049);
  });

  it("accepts a half-truncated MP3 with a warning and the decodable duration", async () => {
    const result = await analyse("truncated-half.mp3");
    expect(result.format.durationMs).toBeGreaterThan(1800);
    expect(result.format.durationMs).toBeLessThan(2200);
    expect(result.warnings.join("\n")).toMatch(/seems truncated: only 2\.0 s of the 4\.0 s/);
    const tagsOnly = await analyse("truncated-half.mp3", false);
    expect(tagsOnly.warnings.join("\n")).toMatch(/seems truncated/);
    expect(tagsOnly.format.durationMs).toBeLessThan(2200);
  });

  it("detects a silent file", async () => {
    const { features, warnings } = await analyse("silent.wav");
    expect(features).toMatchObject({ silent: true, silenceRatio: 1, energy: 0, tempo: null });
    expect(features?.loudness).toBeLessThan(-90);
    expect(warnings).toContain(SILENT_WARNING);
  });

  it("does not call music silent", async () => {
    const { features, warnings } = await analyse("music.wav");
    expect(features).toMatchObject({ silent: false, silenceRatio: 0 });
    expect(warnings).not.toContain(SILENT_WARNING);
  });

  it("orders energy and loudness: music > the same 20 dB quieter", async () => {
    const loud = (await analyse("music.wav")).features;
    const quiet = (await analyse("quiet.wav")).features;
    if (!loud || !quiet) throw new Error("no features");
    // 20 dB of 45 on the level scale, weighted 0.65: ≈ 0.29; the onsets are the same.
    expect(loud.energy).toBeGreaterThan(quiet.energy + 0.25);
    expect(loud.loudness - quiet.loudness).toBeCloseTo(20, 0);
    expect(loud.loudness).toBeGreaterThan(-15);
    expect(loud.loudness).toBeLessThan(-6);
  });

  it("gives the same features whatever the codec (within lossy-coding tolerance)", async () => {
    const wav = (await analyse("music.wav")).features;
    for (const name of ["tagged.mp3", "music.ogg", "music.flac", "music.m4a"]) {
      const other = (await analyse(name)).features;
      expect(other?.tempo, name).toBeCloseTo(wav?.tempo ?? 0, -0.5);
      expect(Math.abs((other?.loudness ?? 0) - (wav?.loudness ?? 0)), name).toBeLessThan(1);
      expect(Math.abs((other?.energy ?? 0) - (wav?.energy ?? 0)), name).toBeLessThan(0.03);
    }
  });

  it("marks a track that is mostly silence as silent, and one with a short silent intro as not", async () => {
    const sr = 8000;
    const [music] = musicLike({ bpm: 120, seconds: 10, sampleRate: sr });
    if (!music) throw new Error("no signal");
    const mostlySilent = new Float32Array(sr * 100); // 100 s, 1 s of music = 1 % sound
    mostlySilent.set(music.subarray(0, sr), 50 * sr);
    const a = await analyseAudio(encodeWav([mostlySilent], sr), {
      filename: "a.wav",
      analyse: true,
    });
    expect(a.features?.silent).toBe(true);
    expect(a.features?.silenceRatio).toBeGreaterThanOrEqual(0.98);
    const intro = new Float32Array(sr * 20); // 10 s silence, then 10 s of music
    intro.set(music, 10 * sr);
    const b = await analyseAudio(encodeWav([intro], sr), { filename: "b.wav", analyse: true });
    expect(b.features?.silent).toBe(false);
    expect(b.features?.silenceRatio).toBeCloseTo(0.5, 1);
    expect(b.features?.tempo).toBeCloseTo(120, -0.5);
  });
});

describe("analyseAudio: concurrency", () => {
  it("gives the same results when files of different sample rates are analysed at once", async () => {
    const names = ["music.wav", "tagged.mp3", "music.opus", "music.flac", "music.m4a", "music.ogg"];
    const sequential = [];
    for (const name of names) sequential.push((await analyse(name)).features);
    const concurrent = (await Promise.all(names.map((name) => analyse(name)))).map(
      (r) => r.features,
    );
    expect(concurrent).toEqual(sequential);
  });
});
