import { describe, expect, it } from "vitest";
import {
  CURRENT_MODEL_KIND,
  expectedCalibrationError,
  genreModelFrom,
  trainGenreModel,
  trainGenreModelV1,
  type GenreExample,
  type GenreFeatures,
} from "./genre-model";
import { seededRandom } from "./synth";
import { TIMBRE_VERSION, type TimbreFeatures } from "./timbre";

/** Timbre descriptors around a "bright, noisy" (1) or "dark, tonal" (0) sound, jittered. */
function timbre(bright: number, random: () => number): TimbreFeatures {
  const j = (v: number, s: number) => v + (random() * 2 - 1) * s;
  return {
    version: TIMBRE_VERSION,
    frames: 500,
    mfccMean: Array.from({ length: 13 }, (_, i) => j(i === 1 ? 60 + 60 * bright : 0, 5)),
    mfccStd: Array.from({ length: 13 }, () => j(10, 2)),
    contrast: Array.from({ length: 6 }, () => j(30 - 10 * bright, 2)),
    centroid: j(10 + bright, 0.2),
    centroidStd: j(0.5, 0.1),
    bandwidth: j(10, 0.2),
    rolloff: j(11 + bright, 0.2),
    flatness: j(-3 + 2 * bright, 0.3),
    flatnessStd: j(0.5, 0.1),
    flux: j(5, 1),
    fluxStd: j(3, 1),
    zcr: j(0.05 + 0.05 * bright, 0.01),
    lowEnergy: j(0.5, 0.05),
    levelStd: j(4, 1),
    chromaEntropy: j(0.9 - 0.2 * (1 - bright), 0.03),
    keyClarity: j(0.5 + 0.3 * (1 - bright), 0.05),
    tonalStrength: j(0.2, 0.05),
    harmonicChange: j(0.1, 0.02),
  };
}

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

  it("learns from timbre what the base features cannot tell, and imputes it when missing", () => {
    const random = seededRandom(11);
    const same = CENTRES.classical!;
    const examples = [0, 1].flatMap((bright) =>
      Array.from({ length: 20 }, () => ({
        genreSlug: bright ? "electronic" : "classical",
        features: { ...same, timbre: timbre(bright, random) },
      })),
    );
    const params = trainGenreModel(examples)!;
    expect(params.kind).toBe(CURRENT_MODEL_KIND);
    const m = genreModelFrom(params);
    expect(m.predict({ ...same, timbre: timbre(1, random) })?.genreSlug).toBe("electronic");
    expect(m.predict({ ...same, timbre: timbre(0, random) })?.genreSlug).toBe("classical");
    // Without descriptors (a track analysed before them) only the base features speak: a tie.
    const p = m.predict({ ...same, timbre: null })!;
    expect(p.genreSlug).toBeNull();
    expect(p.confidence).toBeLessThan(0.6);
    // Examples without descriptors still train: imputed at the mean, their timbre inputs are 0.
    const mixed = trainGenreModel([
      ...examples,
      ...examples.map((e) => ({ ...e, features: { ...e.features, timbre: null } })),
    ]);
    expect(mixed?.examples).toBe(80);
  });

  it("a stored six-feature model (softmax-v1) still predicts, with its own version", () => {
    const v1 = trainGenreModelV1(EXAMPLES)!;
    expect(v1.kind).toBe("softmax-v1");
    expect(v1.weights[0]).toHaveLength(7);
    // As stored in genre_models: plain JSON.
    const stored = genreModelFrom(JSON.parse(JSON.stringify(v1)) as typeof v1);
    for (const [slug, centre] of Object.entries(CENTRES)) {
      const p = stored.predict({ ...centre, timbre: timbre(0.5, seededRandom(3)) });
      expect(p?.genreSlug, slug).toBe(slug);
      expect(p?.modelVersion).toBe(v1.version);
    }
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
