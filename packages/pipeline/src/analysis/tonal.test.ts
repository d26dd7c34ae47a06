import { describe, expect, it } from "vitest";
import { valenceFrom } from "./features";
import { analyseAudio } from "./analyse";
import { musicLike } from "./synth";
import { keyFromChroma, tonalFeatures } from "./tonal";
import { encodeWav } from "./wav";

const SR = 22_050;
const MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

/** Pure tones for each pitch class (octave 4) weighted by a key profile rotated to `root`. */
function profileCluster(profile: number[], root: number, seconds = 6): Float32Array {
  const out = new Float32Array(seconds * SR);
  for (let pc = 0; pc < 12; pc++) {
    const weight = (profile[(pc - root + 12) % 12] ?? 0) / 60;
    const f = 261.63 * Math.pow(2, pc / 12);
    for (let i = 0; i < out.length; i++)
      out[i] = (out[i] ?? 0) + weight * Math.sin((2 * Math.PI * f * i) / SR);
  }
  return out;
}

describe("key and mode", () => {
  it("finds the key of a profile-shaped chroma vector", () => {
    const rot = (p: number[], r: number) => p.map((_, i) => p[(i - r + 12) % 12] ?? 0);
    expect(keyFromChroma(rot(MAJOR, 7)).key).toBe("G major");
    expect(keyFromChroma(rot(MINOR, 9)).key).toBe("A minor");
    expect(keyFromChroma(rot(MAJOR, 0)).modeScore).toBeGreaterThan(0.1);
    expect(keyFromChroma(rot(MINOR, 0)).modeScore).toBeLessThan(-0.1);
    expect(keyFromChroma(new Array<number>(12).fill(1)).key).toBeNull();
  });

  it("hears major and minor in audio (Meyda chroma)", () => {
    const major = tonalFeatures(profileCluster(MAJOR, 2), SR); // D major
    const minor = tonalFeatures(profileCluster(MINOR, 4), SR); // E minor
    expect(major.key).toBe("D major");
    expect(minor.key).toBe("E minor");
    expect(major.modeScore).toBeGreaterThan(0);
    expect(minor.modeScore).toBeLessThan(0);
  });

  it("measures brightness as the spectral centroid in Hz", () => {
    const low = tonalFeatures(profileCluster(MAJOR, 0), SR).centroidHz;
    const [bright] = musicLike({ bpm: 120, seconds: 6, sampleRate: SR });
    if (!bright) throw new Error("no signal");
    expect(low).toBeGreaterThan(250);
    expect(low).toBeLessThan(500);
    expect(tonalFeatures(bright, SR).centroidHz).toBeGreaterThan(low);
  });
});

describe("valence (a heuristic estimate)", () => {
  it("rises with major mode, brightness and tempo", () => {
    expect(valenceFrom(0.2, 1000, 120)).toBeGreaterThan(valenceFrom(-0.2, 1000, 120));
    expect(valenceFrom(0, 2500, 120)).toBeGreaterThan(valenceFrom(0, 400, 120));
    expect(valenceFrom(0, 1000, 170)).toBeGreaterThan(valenceFrom(0, 1000, 70));
    expect(valenceFrom(1, 10_000, 200)).toBeLessThanOrEqual(1);
    expect(valenceFrom(-1, 10, 30)).toBeGreaterThanOrEqual(0);
  });

  it("orders a fast bright major loop above a slow dark minor one", async () => {
    const analyse = async (signal: Float32Array[]) =>
      (await analyseAudio(encodeWav(signal, SR), { filename: "x.wav", analyse: true })).features
        ?.valence ?? NaN;
    const happy = await analyse(
      musicLike({ bpm: 150, seconds: 12, sampleRate: SR, mode: "major" }),
    );
    const sad = await analyse(musicLike({ bpm: 70, seconds: 12, sampleRate: SR, mode: "minor" }));
    expect(happy).toBeGreaterThan(sad + 0.1);
  });

  it("separates major from minor when tempo and timbre are equal", async () => {
    const valence = async (profile: number[]) =>
      (
        await analyseAudio(encodeWav([profileCluster(profile, 0)], SR), {
          filename: "x.wav",
          analyse: true,
        })
      ).features?.valence ?? NaN;
    expect(await valence(MAJOR)).toBeGreaterThan((await valence(MINOR)) + 0.1);
  });
});
