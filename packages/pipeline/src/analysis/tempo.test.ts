import { describe, expect, it } from "vitest";
import { analyseAudio } from "./analyse";
import { chord, clickTrack, musicLike, whiteNoise } from "./synth";
import { estimateTempo, spectralNovelty } from "./tempo";
import { encodeWav } from "./wav";

const BPMS = [60, 75, 90, 100, 120, 128, 140, 160, 174, 180];
const SR = 22_050;

/** Relative error; octave errors (×2, ×½) come out as ±50 %/100 %, far outside 2 %. */
const relativeError = (measured: number | null | undefined, truth: number) =>
  measured === null || measured === undefined ? Infinity : Math.abs(measured - truth) / truth;

describe("tempo of click tracks through analyseAudio (WAV synthesised in the test)", () => {
  for (const bpm of BPMS) {
    it(`${bpm} BPM within 2 %`, async () => {
      const clicks = clickTrack({ bpm, seconds: 20, sampleRate: SR, accents: true, pad: true });
      const result = await analyseAudio(encodeWav([clicks], SR), {
        filename: `click-${bpm}.wav`,
        analyse: true,
      });
      expect(relativeError(result.features?.tempo, bpm)).toBeLessThan(0.02);
    });
  }

  it("plain (unaccented) clicks at the edges of the range are not doubled or halved", () => {
    for (const bpm of [60, 174, 180]) {
      const estimate = estimateTempo(clickTrack({ bpm, seconds: 20, sampleRate: SR }), SR);
      expect(relativeError(estimate?.bpm, bpm), `${bpm}`).toBeLessThan(0.02);
      expect(estimate?.halved).toBe(false);
    }
  });

  it("a stereo 44.1 kHz click track longer than the analysis window", async () => {
    const sr = 44_100;
    const clicks = clickTrack({ bpm: 128, seconds: 75, sampleRate: sr });
    const result = await analyseAudio(encodeWav([clicks, clicks], sr), {
      filename: "long.wav",
      analyse: true,
    });
    expect(result.format.durationMs).toBe(75_000);
    expect(relativeError(result.features?.tempo, 128)).toBeLessThan(0.02);
  });
});

describe("tempo of music-like loops (kick on the beat, hi-hat off the beat)", () => {
  // music-tempo locks on the eighth notes of slow loops; the octave check halves them back.
  for (const bpm of [75, 90, 100, 120, 140, 174]) {
    it(`${bpm} BPM`, () => {
      const [signal] = musicLike({ bpm, seconds: 20, sampleRate: SR });
      if (!signal) throw new Error("no signal");
      expect(relativeError(estimateTempo(signal, SR)?.bpm, bpm)).toBeLessThan(0.02);
    });
  }
});

describe("no steady beat → null", () => {
  it("white noise", () => {
    expect(estimateTempo(whiteNoise(20, SR, 0.5), SR)).toBeNull();
  });
  it("a held chord (its beating must not pass for onsets)", () => {
    const held = chord([261.63, 329.63, 392], 20, SR);
    expect(spectralNovelty(held, SR)).toBeLessThan(0.05);
    expect(estimateTempo(held, SR)).toBeNull();
  });
  it("a signal shorter than 3 s", () => {
    expect(estimateTempo(clickTrack({ bpm: 120, seconds: 2, sampleRate: SR }), SR)).toBeNull();
  });
});
