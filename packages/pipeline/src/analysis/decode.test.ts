import { describe, expect, it } from "vitest";
import { decodeToMono, LEVEL_FRAME_SECONDS, WINDOW_SECONDS } from "./decode";
import { encodeWav } from "./wav";

const SR = 8000;

/** A ramp: the sample value tells where in the file it came from. */
function ramp(seconds: number): Float32Array {
  const out = new Float32Array(seconds * SR);
  for (let i = 0; i < out.length; i++) out[i] = (0.9 * i) / out.length;
  return out;
}

describe("decodeToMono", () => {
  it("keeps a window of WINDOW_SECONDS from the middle of a long file", async () => {
    const seconds = 100;
    const audio = await decodeToMono(encodeWav([ramp(seconds)], SR), "wav", seconds);
    expect(audio.samples).toBe(seconds * SR);
    expect(audio.window.length).toBe(WINDOW_SECONDS * SR);
    const start = (seconds - WINDOW_SECONDS) / 2 / seconds; // 0.2
    expect(audio.window[0]).toBeCloseTo(0.9 * start, 3);
    expect(audio.frameMeanSquares.length).toBe(Math.round(seconds / LEVEL_FRAME_SECONDS));
  });

  it("falls back to the last WINDOW_SECONDS when the length is unknown or wrong", async () => {
    const seconds = 80;
    for (const expected of [null, 400]) {
      const audio = await decodeToMono(encodeWav([ramp(seconds)], SR), "wav", expected);
      expect(audio.window.length).toBe(WINDOW_SECONDS * SR);
      expect(audio.window[audio.window.length - 1]).toBeCloseTo(0.9, 3);
    }
  });

  it("mixes stereo to mono and keeps short files whole", async () => {
    const left = new Float32Array(2 * SR).fill(0.5);
    const right = new Float32Array(2 * SR).fill(-0.25);
    const audio = await decodeToMono(encodeWav([left, right], SR), "wav", 2);
    expect(audio.channels).toBe(2);
    expect(audio.window.length).toBe(2 * SR);
    expect(audio.window[100]).toBeCloseTo(0.125, 3);
    expect(audio.frameMeanSquares[0]).toBeCloseTo(0.125 ** 2, 4);
  });
});
