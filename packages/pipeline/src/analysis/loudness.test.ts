import { describe, expect, it } from "vitest";
import { measureLoudness, trackGain, SILENCE_LUFS, LoudnessMeter } from "./loudness";

function sine(freq: number, dbfs: number, seconds: number, rate: number, phase = 0): Float32Array {
  const a = Math.pow(10, dbfs / 20);
  const out = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++)
    out[i] = a * Math.sin((2 * Math.PI * freq * i) / rate + phase);
  return out;
}

describe("BS.1770 loudness", () => {
  it("reads an EBU −23 dBFS 1 kHz stereo sine as −23.0 LUFS at 48 and 44.1 kHz", () => {
    for (const rate of [48_000, 44_100]) {
      const s = sine(1000, -23, 20, rate);
      const r = measureLoudness([s, s], rate);
      expect(r.integratedLufs).toBeCloseTo(-23, 1);
    }
  });

  it("is 3 LU lower for the same sine on one channel (mono counts one channel, like ffmpeg)", () => {
    const s = sine(1000, -23, 10, 48_000);
    expect(measureLoudness([s], 48_000).integratedLufs).toBeCloseTo(-26.01, 1);
  });

  it("weights frequencies: a 100 Hz tone reads lower, a 4 kHz tone higher than 1 kHz", () => {
    const at = (f: number) => measureLoudness([sine(f, -20, 5, 48_000)], 48_000).integratedLufs;
    expect(at(100)).toBeLessThan(at(1000) - 0.2);
    expect(at(4000)).toBeGreaterThan(at(1000) + 2);
  });

  it("gates quiet passages: 10 s at −20 plus 10 s at −60 dBFS reads like the loud part alone", () => {
    const rate = 48_000;
    const loud = sine(1000, -20, 10, rate);
    const quiet = sine(1000, -60, 10, rate);
    const both = new Float32Array(loud.length + quiet.length);
    both.set(loud);
    both.set(quiet, loud.length);
    const alone = measureLoudness([loud, loud], rate).integratedLufs;
    const gated = measureLoudness([both, both], rate).integratedLufs;
    expect(Math.abs(gated - alone)).toBeLessThan(0.1); // the ungated mean would be −23 LUFS
  });

  it("gives the same answer fed in odd-sized chunks", () => {
    const rate = 44_100;
    const s = sine(440, -14, 8, rate);
    const meter = new LoudnessMeter(rate);
    for (let i = 0; i < s.length; i += 3_331) meter.push([s.subarray(i, i + 3_331)]);
    expect(meter.finish().integratedLufs).toBeCloseTo(measureLoudness([s], rate).integratedLufs, 6);
  });

  it("finds inter-sample peaks: a 0 dBFS sine at fs/4 sampled 45° off its peaks is 0 dBTP, −3 dB sample peak", () => {
    const rate = 48_000;
    const s = sine(12_000, 0, 1, rate, Math.PI / 4);
    let samplePeak = 0;
    for (const v of s) samplePeak = Math.max(samplePeak, Math.abs(v));
    expect(20 * Math.log10(samplePeak)).toBeCloseTo(-3.01, 1);
    expect(measureLoudness([s], rate).truePeakDb).toBeGreaterThan(-0.6);
  });

  it("reports silence and derives the ReplayGain 2.0 track gain to −18 LUFS", () => {
    const r = measureLoudness([new Float32Array(48_000 * 3)], 48_000);
    expect(r.integratedLufs).toBe(SILENCE_LUFS);
    expect(trackGain(r.integratedLufs)).toBeNull();
    expect(trackGain(-9.5)).toBe(-8.5);
    expect(trackGain(-23)).toBe(5);
  });
});
