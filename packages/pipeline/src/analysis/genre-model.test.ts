import { describe, expect, it } from "vitest";
import { createGenreModel, type GenreExample, type GenreFeatures } from "./genre-model";
import { seededRandom } from "./synth";

const random = seededRandom(42);
const jitter = (v: number, spread: number) => v + (random() * 2 - 1) * spread;

function cluster(genreSlug: string, centre: GenreFeatures, n: number): GenreExample[] {
  return Array.from({ length: n }, () => ({
    genreSlug,
    features: {
      tempo: centre.tempo === null ? null : jitter(centre.tempo, 4),
      energy: jitter(centre.energy, 0.04),
      valence: jitter(centre.valence, 0.05),
      loudness: jitter(centre.loudness, 1),
    },
  }));
}

const CENTRES: Record<string, GenreFeatures> = {
  ambient: { tempo: 70, energy: 0.3, valence: 0.3, loudness: -24 },
  "drum-and-bass": { tempo: 174, energy: 0.9, valence: 0.5, loudness: -7 },
  classical: { tempo: 90, energy: 0.45, valence: 0.45, loudness: -20 },
  house: { tempo: 124, energy: 0.85, valence: 0.7, loudness: -8 },
};
const EXAMPLES = Object.entries(CENTRES).flatMap(([slug, centre]) => cluster(slug, centre, 12));

describe("createGenreModel (k-NN over standardised features)", () => {
  const model = createGenreModel(EXAMPLES);

  it("predicts clearly separable clusters right, with high confidence", () => {
    for (const [slug, centre] of Object.entries(CENTRES)) {
      const prediction = model.predict(centre);
      expect(prediction?.genreSlug, slug).toBe(slug);
      expect(prediction?.confidence, slug).toBeGreaterThan(0.9);
    }
    expect(model.size).toBe(EXAMPLES.length);
  });

  it("is less confident half-way between two clusters", () => {
    const a = CENTRES["house"];
    const b = CENTRES["drum-and-bass"];
    if (!a || !b || a.tempo === null || b.tempo === null) throw new Error("centres");
    const between: GenreFeatures = {
      tempo: Math.sqrt(a.tempo * b.tempo),
      energy: (a.energy + b.energy) / 2,
      valence: (a.valence + b.valence) / 2,
      loudness: (a.loudness + b.loudness) / 2,
    };
    const prediction = model.predict(between);
    expect(prediction).not.toBeNull();
    expect(["house", "drum-and-bass"]).toContain(prediction?.genreSlug);
    expect(prediction?.confidence).toBeLessThan(0.9);
    expect(prediction?.confidence).toBeLessThan(model.predict(a)?.confidence ?? 0);
  });

  it("handles a missing tempo (imputed with the mean)", () => {
    const ambientNoBeat = { ...CENTRES["ambient"], tempo: null } as GenreFeatures;
    expect(model.predict(ambientNoBeat)?.genreSlug).toBe("ambient");
  });

  it("returns null with fewer than 5 examples", () => {
    expect(
      createGenreModel(EXAMPLES.slice(0, 4)).predict(CENTRES["house"] as GenreFeatures),
    ).toBeNull();
    expect(createGenreModel([]).predict(CENTRES["house"] as GenreFeatures)).toBeNull();
    expect(
      createGenreModel(EXAMPLES.slice(0, 5)).predict(CENTRES["ambient"] as GenreFeatures),
    ).not.toBeNull();
  });

  it("standardises: loudness in dB does not drown energy in 0–1", () => {
    // Same loudness and tempo, different energy/valence: energy must decide.
    const examples: GenreExample[] = [
      ...cluster("soft", { tempo: 100, energy: 0.2, valence: 0.5, loudness: -12 }, 6),
      ...cluster("hard", { tempo: 100, energy: 0.9, valence: 0.5, loudness: -12 }, 6),
    ];
    const m = createGenreModel(examples);
    expect(m.predict({ tempo: 100, energy: 0.25, valence: 0.5, loudness: -14 })?.genreSlug).toBe(
      "soft",
    );
    expect(m.predict({ tempo: 100, energy: 0.85, valence: 0.5, loudness: -10 })?.genreSlug).toBe(
      "hard",
    );
  });
});
