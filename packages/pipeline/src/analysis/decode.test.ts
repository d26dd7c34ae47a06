import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import {
  decodeToMono,
  DecodeTimeoutError,
  ffmpegAvailable,
  LEVEL_FRAME_SECONDS,
  WINDOW_SECONDS,
} from "./decode";
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

describe("decodeToMono with ffmpeg (when it is on the PATH)", () => {
  const fixture = (name: string) =>
    new Uint8Array(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url)));

  it.skipIf(!ffmpegAvailable()).each([
    ["music.ogg", "oga"],
    ["music.flac", "flac"],
  ] as const)(
    "measures %s as the WASM decoder does: same length, loudness and window",
    async (name, decoder) => {
      const bytes = fixture(name);
      const native = await decodeToMono(bytes, decoder, 4);
      const wasm = await decodeToMono(bytes, decoder, 4, { ffmpeg: false });
      expect(native.decodedBy).toBe("ffmpeg");
      expect(wasm.decodedBy).toBe("wasm");
      expect(native.samples).toBe(wasm.samples);
      expect(native.sampleRate).toBe(wasm.sampleRate);
      expect(native.channels).toBe(wasm.channels);
      expect(native.loudness.integratedLufs).toBeCloseTo(wasm.loudness.integratedLufs, 2);
      expect(native.loudness.truePeakDb).toBeCloseTo(wasm.loudness.truePeakDb, 2);
      expect(native.window.length).toBe(wasm.window.length);
      let worst = 0;
      for (let i = 0; i < wasm.window.length; i++)
        worst = Math.max(worst, Math.abs(native.window[i]! - wasm.window[i]!));
      expect(worst).toBeLessThan(1e-3);
    },
  );

  it.skipIf(!ffmpegAvailable())(
    "falls back to the WASM decoder on a damaged stream (same refusal either way)",
    async () => {
      const bytes = fixture("music.ogg").slice(0, 6000);
      bytes.fill(0x55, 200);
      const native = await decodeToMono(bytes, "oga", 4).then(
        (a) => a.samples,
        (e: unknown) => String(e),
      );
      const wasm = await decodeToMono(bytes, "oga", 4, { ffmpeg: false }).then(
        (a) => a.samples,
        (e: unknown) => String(e),
      );
      expect(native).toEqual(wasm);
    },
  );

  it.skipIf(!ffmpegAvailable())(
    "stops a decode past its deadline (the child is killed, no slower fallback) with a readable reason",
    async () => {
      const error = await decodeToMono(fixture("music.flac"), "flac", 4, { timeoutMs: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DecodeTimeoutError);
      expect(String(error)).toMatch(/took longer than 0 s and was stopped/);
    },
  );
});
