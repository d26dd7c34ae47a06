import { describe, expect, it } from "vitest";
import { analyseAudio } from "./analyse";
import { chord, clickTrack, drumLoop, whiteNoise } from "./synth";
import { analyseTempo, estimateTempo, NO_TEMPO_DRONE, spectralNovelty } from "./tempo";
import { encodeWav } from "./wav";

const BPMS = [60, 75, 90, 100, 120, 128, 140, 160, 174, 180];
const SR = 22_050;

/** Relative error; octave errors (×2, ×½) come out as ±50 %/100 %, far outside 2 %. */
const relativeError = (measured: number | null | undefined, truth: number) =>
  measured === null || measured === undefined ? Infinity : Math.abs(measured - truth) / truth;

describe("tempo of click tracks through analyseAudio (WAV synthesised in the test)", () => {
  for (const bpm of BPMS) {
    it(`${bpm} BPM within 1 %`, async () => {
      const clicks = clickTrack({ bpm, seconds: 20, sampleRate: SR, accents: true, pad: true });
      const result = await analyseAudio(encodeWav([clicks], SR), {
        filename: `click-${bpm}.wav`,
        analyse: true,
      });
      expect(relativeError(result.features?.tempo, bpm)).toBeLessThan(0.01);
      expect(result.features?.tempoConfidence).toBeGreaterThan(0.9);
      expect(result.features?.tempoReason).toBeNull();
    });
  }

  it("plain (unaccented) clicks at the edges of the range are not doubled or halved", () => {
    for (const bpm of [60, 174, 180]) {
      const estimate = estimateTempo(clickTrack({ bpm, seconds: 20, sampleRate: SR }), SR);
      expect(relativeError(estimate?.bpm, bpm), `${bpm}`).toBeLessThan(0.01);
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

describe("tempo of drum loops (kick 1 & 3, snare 2 & 4, hi-hat eighths)", () => {
  // Between 85 and 155 BPM the beat level is unambiguous; outside it the loop is read at
  // the metrical level nearer 120 BPM (70 as 140, 180 as 90), as listeners often do.
  for (const bpm of [85, 110, 120, 128, 140, 155]) {
    it(`${bpm} BPM within 1 %`, () => {
      const r = analyseTempo(drumLoop({ bpm, seconds: 20, sampleRate: SR }), SR);
      expect(relativeError(r.tempo?.bpm, bpm)).toBeLessThan(0.01);
      expect(r.tempo?.confidence).toBeGreaterThan(0.8);
    });
  }
  for (const bpm of [70, 170, 180]) {
    it(`${bpm} BPM within 1 % up to an octave`, () => {
      const measured = analyseTempo(drumLoop({ bpm, seconds: 20, sampleRate: SR }), SR).tempo?.bpm;
      const best = Math.min(...[0.5, 1, 2].map((k) => relativeError(measured, bpm * k)));
      expect(best).toBeLessThan(0.01);
    });
  }
  it("is not fooled into 3:2 (a 120 BPM loop is not 80 or 180)", () => {
    const bpm = analyseTempo(drumLoop({ bpm: 120, seconds: 30, sampleRate: SR }), SR).tempo?.bpm;
    expect(relativeError(bpm, 120)).toBeLessThan(0.01);
  });
});

describe("no steady beat → null", () => {
  it("white noise", () => {
    expect(estimateTempo(whiteNoise(20, SR, 0.5), SR)).toBeNull();
  });
  it("a held chord (its beating must not pass for onsets)", () => {
    const held = chord([261.63, 329.63, 392], 20, SR);
    expect(spectralNovelty(held, SR)).toBeLessThan(0.05);
    expect(estimateTempo(held, SR)).toBeNull();
    expect(analyseTempo(held, SR).reason).toBe(NO_TEMPO_DRONE);
  });
  it("a signal shorter than 3 s", () => {
    expect(estimateTempo(clickTrack({ bpm: 120, seconds: 2, sampleRate: SR }), SR)).toBeNull();
  });
});
