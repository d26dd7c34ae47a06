import { describe, expect, it } from "vitest";
import { analyseAudio } from "./analyse";
import { energyFromDb, levelFeatures } from "./levels";
import { chord, clickTrack, drumLoop, squareWave, whiteNoise } from "./synth";
import { encodeWav } from "./wav";

const SR = 16_000;

async function features(signal: Float32Array) {
  const result = await analyseAudio(encodeWav([signal], SR), {
    filename: "signal.wav",
    analyse: true,
  });
  if (!result.features) throw new Error("no features");
  return result.features;
}

describe("energy and loudness calibration", () => {
  // Loudness is BS.1770 LUFS now: −0.691 dB offset, K-weighting, one (mono) channel.
  it("full-scale square wave: loudness ≈ −1.3 LUFS, full level but few onsets", async () => {
    const f = await features(squareWave(100, 5, SR, 1));
    expect(f.loudness).toBeCloseTo(-1.3, 0);
    // Energy = 0.65 × level (1 at full scale) + 0.35 × onset activity (a held tone has ~none).
    expect(f.energy).toBeGreaterThanOrEqual(0.65);
    expect(f.energy).toBeLessThan(0.95);
  });

  it("full-scale 440 Hz sine on one channel: −3.01 dB − 0.691 + K-weighting ≈ −3.6 LUFS", async () => {
    const f = await features(chord([440], 5, SR, 1));
    expect(f.loudness).toBeCloseTo(-3.61, 1);
    expect(f.energy).toBeGreaterThanOrEqual(0.64);
    expect(f.onsetDensity).toBeLessThan(1);
  });

  it("full-scale white noise: energy near 1", async () => {
    const f = await features(whiteNoise(5, SR, 1));
    // −4.77 dB of power, lifted by the K-weighting's high shelf.
    expect(f.loudness).toBeCloseTo(-2, 0);
    expect(f.energy).toBeGreaterThan(0.9);
  });

  it("digital silence: energy 0, loudness at the floor, silent", async () => {
    const f = await features(new Float32Array(5 * SR));
    expect(f).toMatchObject({ energy: 0, silent: true, silenceRatio: 1, tempo: null });
    expect(f.loudness).toBeLessThanOrEqual(-90);
  });

  it("energy and loudness rise with level, 10 dB per step", async () => {
    const levels = [0.01, 0.0316, 0.1, 0.316];
    const measured = [];
    for (const amplitude of levels) measured.push(await features(whiteNoise(5, SR, amplitude)));
    for (let i = 1; i < measured.length; i++) {
      const prev = measured[i - 1];
      const cur = measured[i];
      if (!prev || !cur) throw new Error("missing");
      expect(cur.energy).toBeGreaterThan(prev.energy);
      expect(cur.loudness - prev.loudness).toBeCloseTo(10, 0);
    }
  });

  it("counts onsets: eighth-note drums at 120 BPM ≈ 4 per second, a click at 60 BPM ≈ 1", async () => {
    const drums = await features(drumLoop({ bpm: 120, seconds: 20, sampleRate: SR }));
    expect(drums.onsetDensity).toBeGreaterThan(3.5);
    expect(drums.onsetDensity).toBeLessThan(4.5);
    const clicks = await features(clickTrack({ bpm: 60, seconds: 20, sampleRate: SR }));
    expect(clicks.onsetDensity).toBeGreaterThan(0.8);
    expect(clicks.onsetDensity).toBeLessThan(1.2);
  });

  it("at the same mean level, busier music has more energy (onset density is part of it)", async () => {
    // Same drum sound, twice the tempo: twice the onsets; levels matched by scaling.
    const slow = drumLoop({ bpm: 70, seconds: 20, sampleRate: SR });
    const fast = drumLoop({ bpm: 140, seconds: 20, sampleRate: SR });
    const power = (x: Float32Array) => x.reduce((a, v) => a + v * v, 0) / x.length;
    const k = Math.sqrt(power(slow) / power(fast));
    const fastMatched = fast.map((v) => v * k);
    const a = await features(slow);
    const b = await features(fastMatched);
    expect(b.onsetDensity!).toBeGreaterThan(1.6 * a.onsetDensity!);
    expect(b.energy).toBeGreaterThan(a.energy + 0.05);
  });

  it("maps typical music levels (-8…-25 dBFS RMS) into 0.5–0.9", () => {
    expect(energyFromDb(-8)).toBeGreaterThan(0.85);
    expect(energyFromDb(-8)).toBeLessThan(0.95);
    expect(energyFromDb(-25)).toBeGreaterThan(0.45);
    expect(energyFromDb(-25)).toBeLessThan(0.6);
    expect(energyFromDb(-Infinity)).toBe(0);
  });
});

describe("silence ratio and gating", () => {
  const frames = (values: number[]) => Float32Array.from(values);

  it("counts frames under -60 dBFS", () => {
    const loud = 0.1; // -10 dBFS mean square
    const f = levelFeatures(
      frames([...new Array<number>(75).fill(loud), ...new Array<number>(25).fill(1e-8)]),
    );
    expect(f.silenceRatio).toBeCloseTo(0.25, 5);
    expect(f.silent).toBe(false);
  });

  it("is silent at ≥ 98 % silent frames, not at 97 %", () => {
    const make = (silentShare: number) =>
      levelFeatures(
        frames([
          ...new Array<number>(100 - silentShare).fill(0.1),
          ...new Array<number>(silentShare).fill(0),
        ]),
      );
    expect(make(98).silent).toBe(true);
    expect(make(97).silent).toBe(false);
  });

  it("gates silence out of the loudness but not out of the energy", () => {
    const half = levelFeatures(
      frames([...new Array<number>(100).fill(0.1), ...new Array<number>(100).fill(0)]),
    );
    const full = levelFeatures(frames(new Array<number>(200).fill(0.1)));
    expect(Math.abs(half.loudness - full.loudness)).toBeLessThan(0.5); // blocks straddling the edge pass the gate
    expect(half.energy).toBeLessThan(full.energy);
  });
});
