import { describe, expect, it } from "vitest";
import { magnitudeSpectrum, magnitudeSpectrumComplex } from "./fft";

describe("magnitudeSpectrum (real-input FFT)", () => {
  it("gives the complex FFT's magnitudes, also where the frame runs past the signal's end", () => {
    const signal = new Float32Array(3000);
    for (let i = 0; i < signal.length; i++)
      signal[i] = Math.sin(i * 0.3) + 0.5 * Math.sin(i * 1.7 + 1) + 0.2 * Math.cos(i * 0.05);
    for (const n of [4, 8, 64, 1024, 2048]) {
      for (const offset of [0, 123, signal.length - n / 2]) {
        const fast = new Float64Array(n / 2 + 1);
        const plain = new Float64Array(n / 2 + 1);
        magnitudeSpectrum(signal, offset, n, fast, new Float64Array(n), new Float64Array(n));
        magnitudeSpectrumComplex(
          signal,
          offset,
          n,
          plain,
          new Float64Array(n),
          new Float64Array(n),
        );
        for (let k = 0; k <= n / 2; k++) expect(fast[k]).toBeCloseTo(plain[k]!, 9);
      }
    }
  });

  it("puts a sine's energy in its bin", () => {
    const n = 1024;
    const signal = new Float32Array(n);
    for (let i = 0; i < n; i++) signal[i] = Math.sin((2 * Math.PI * 100 * i) / n);
    const out = new Float64Array(n / 2 + 1);
    magnitudeSpectrum(signal, 0, n, out, new Float64Array(n), new Float64Array(n));
    const peak = out.indexOf(Math.max(...out));
    expect(peak).toBe(100);
  });
});
