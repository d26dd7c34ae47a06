import { describe, expect, it } from "vitest";
import {
  expectedCalibrationError,
  genreModelFrom,
  trainGenreModel,
  type GenreExample,
  type GenreFeatures,
} from "./genre-model";
import { seededRandom } from "./synth";

function cluster(
  genreSlug: string,
  centre: GenreFeatures,
  n: number,
  spread: number,
  seed: number,
): GenreExample[] {
  const random = seededRandom(seed);
  const jitter = (v: number, s: number) => v + (random() * 2 - 1) * s * spread;
  return Array.from({ length: n }, () => ({
    genreSlug,
    features: {
      tempo: centre.tempo === null ? null : jitter(centre.tempo, 4),
      tempoConfidence: centre.tempoConfidence ?? null,
      energy: jitter(centre.energy, 0.04),
      valence: jitter(centre.valence, 0.05),
      loudness: jitter(centre.loudness, 1),
      truePeakDb: centre.truePeakDb ?? null,
    },
  }));
}

const CENTRES: Record<string, GenreFeatures> = {
  ambient: { tempo: 70, energy: 0.3, valence: 0.3, loudness: -24, truePeakDb: -6 },
  "drum-and-bass": { tempo: 174, energy: 0.9, valence: 0.5, loudness: -7, truePeakDb: 0 },
  classical: { tempo: 90, energy: 0.45, valence: 0.45, loudness: -20, truePeakDb: -1 },
  house: { tempo: 124, energy: 0.85, valence: 0.7, loudness: -8, truePeakDb: -0.5 },
};
const EXAMPLES = Object.entries(CENTRES).flatMap(([slug, centre], i) =>
  cluster(slug, centre, 12, 1, 42 + i),
);

describe("genre model: softmax regression, temperature-calibrated, abstaining", () => {
  const params = trainGenreModel(EXAMPLES)!;
  const model = genreModelFrom(params);

  it("predicts clearly separable clusters right, confidently, with its version", () => {
    for (const [slug, centre] of Object.entries(CENTRES)) {
      const p = model.predict(centre);
      expect(p?.genreSlug, slug).toBe(slug);
      expect(p?.confidence, slug).toBeGreaterThan(0.8);
      expect(p?.abstainReason).toBeNull();
      expect(p?.modelVersion).toBe(params.version);
    }
    expect(params.examples).toBe(EXAMPLES.length);
    expect(params.version).toMatch(/^genre-lr-[0-9a-f]{12}$/);
  });

  it("the same examples in any order train the same model (no flip with import order)", () => {
    const shuffled = [...EXAMPLES].reverse();
    const random = seededRandom(7);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const again = trainGenreModel(shuffled)!;
    expect(again.version).toBe(params.version);
    expect(again).toEqual(params);
  });

  it("abstains with a reason half-way between two genres instead of guessing", () => {
    const a = CENTRES.house!;
    const b = CENTRES["drum-and-bass"]!;
    const between: GenreFeatures = {
      tempo: Math.sqrt(a.tempo! * b.tempo!),
      energy: (a.energy + b.energy) / 2,
      valence: (a.valence + b.valence) / 2,
      loudness: (a.loudness + b.loudness) / 2,
      truePeakDb: (a.truePeakDb! + b.truePeakDb!) / 2,
    };
    const p = model.predict(between)!;
    expect(p.genreSlug).toBeNull();
    expect(p.confidence).toBeLessThan(params.threshold);
    expect(p.abstainReason).toMatch(/not confident enough: best guess (house|drum-and-bass)/);
  });

  it("abstains for a sound unlike every genre it was trained on", () => {
    const p = model.predict({
      tempo: 60,
      energy: 0.05,
      valence: 0.95,
      loudness: -55,
      truePeakDb: -10,
    })!;
    expect(p.genreSlug).toBeNull();
    expect(p.abstainReason).toMatch(/unlike every genre the model knows/);
  });

  it("needs at least two genres with three examples each", () => {
    expect(trainGenreModel(cluster("rock", CENTRES.house!, 10, 1, 1))).toBeNull();
    expect(
      trainGenreModel([
        ...cluster("rock", CENTRES.house!, 10, 1, 1),
        ...cluster("jazz", CENTRES.classical!, 2, 1, 2),
      ]),
    ).toBeNull();
  });

  it("is calibrated on overlapping genres: held-out ECE ≤ 0.1, and says so with lower confidence", () => {
    // Wide clusters that overlap: a raw classifier would be over-confident here.
    const wide = (seed: number, n: number) =>
      Object.entries(CENTRES).flatMap(([slug, centre], i) => cluster(slug, centre, n, 6, seed + i));
    const trained = genreModelFrom(trainGenreModel(wide(100, 60))!);
    const held = wide(500, 60);
    const predictions = held.map((e) => {
      const p = trained.predict(e.features)!;
      return { confidence: p.confidence, correct: p.bestGuess === e.genreSlug };
    });
    expect(expectedCalibrationError(predictions)).toBeLessThanOrEqual(0.1);
    const accuracy = predictions.filter((p) => p.correct).length / predictions.length;
    expect(accuracy).toBeLessThan(0.97); // the clusters really overlap
  });

  it("treats a missing tempo and true peak as average, not as zero", () => {
    const p = model.predict({ ...CENTRES.ambient!, tempo: null, truePeakDb: null });
    expect(p?.bestGuess).toBe("ambient");
  });

  it("ECE: perfectly calibrated predictions score 0, over-confident ones score high", () => {
    const calibrated = Array.from({ length: 100 }, (_, i) => ({
      confidence: 0.7,
      correct: i < 70,
    }));
    expect(expectedCalibrationError(calibrated)).toBeCloseTo(0, 5);
    const overconfident = Array.from({ length: 100 }, (_, i) => ({
      confidence: 1,
      correct: i < 50,
    }));
    expect(expectedCalibrationError(overconfident)).toBeCloseTo(0.5, 5);
  });
});
