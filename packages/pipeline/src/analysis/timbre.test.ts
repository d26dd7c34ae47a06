import { describe, expect, it } from "vitest";
import { chord, musicLike, whiteNoise } from "./synth";
import { TIMBRE_NAMES, timbreFeatures, timbreVector } from "./timbre";

const SR = 44_100;

describe("timbre descriptors", () => {
  const loop = musicLike({ bpm: 120, seconds: 12, sampleRate: SR })[0]!;

  it("are gain-invariant except MFCC c0 (the level)", () => {
    const quieter = loop.map((v) => v * 0.25);
    const a = timbreVector(timbreFeatures(loop, SR))!;
    const b = timbreVector(timbreFeatures(quieter, SR))!;
    expect(a).toHaveLength(TIMBRE_NAMES.length);
    expect(a[0]! - b[0]!).toBeGreaterThan(30); // 12 dB over 40 bands, orthonormal DCT
    for (let i = 1; i < a.length; i++) {
      if (TIMBRE_NAMES[i] === "level std") continue;
      expect(Math.abs(a[i]! - b[i]!), TIMBRE_NAMES[i]).toBeLessThan(0.02 * Math.abs(a[i]!) + 0.02);
    }
  });

  it("tell noise from a chord: flatness, contrast, chroma entropy, key clarity", () => {
    const noise = timbreFeatures(whiteNoise(6, SR, 0.3), SR)!;
    const triad = timbreFeatures(chord([261.63, 329.63, 392], 6, SR), SR)!;
    expect(noise.flatness).toBeGreaterThan(triad.flatness + 1);
    expect(triad.contrast[1]!).toBeGreaterThan(noise.contrast[1]! + 10);
    expect(noise.chromaEntropy).toBeGreaterThan(0.95);
    expect(triad.chromaEntropy).toBeLessThan(0.7);
    expect(triad.keyClarity).toBeGreaterThan(noise.keyClarity);
    expect(triad.tonalStrength).toBeGreaterThan(noise.tonalStrength);
    expect(triad.harmonicChange).toBeLessThan(0.01); // a held chord does not move
  });

  it("measure the same band at 22.05 and 44.1 kHz", () => {
    const half = new Float32Array(loop.length / 2);
    for (let i = 0; i < half.length; i++) half[i] = 0.5 * (loop[2 * i]! + loop[2 * i + 1]!);
    const a = timbreFeatures(loop, SR)!;
    const b = timbreFeatures(half, SR / 2)!;
    expect(Math.abs(a.centroid - b.centroid)).toBeLessThan(0.05);
    expect(Math.abs(a.mfccMean[1]! - b.mfccMean[1]!)).toBeLessThan(1);
  });

  it("are absent for silence and for another descriptor version", () => {
    expect(timbreFeatures(new Float32Array(SR * 3), SR)).toBeNull();
    const t = timbreFeatures(loop, SR)!;
    expect(timbreVector({ ...t, version: t.version + 1 })).toBeNull();
    expect(timbreVector(null)).toBeNull();
  });
});
