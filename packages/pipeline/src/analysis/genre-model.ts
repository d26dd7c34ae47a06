/**
 * Genre prediction for untagged tracks: k-nearest neighbours over standardised features,
 * learned from the catalog's tagged tracks. Pure TS, no dependencies.
 *
 * Features: log2(tempo), energy, valence, loudness — each standardised to z-scores with
 * the examples' mean and standard deviation (tempo on a log scale so 70→140 is as far as
 * 140→280). A missing tempo (no steady beat) is imputed with the examples' mean.
 * Votes: the k nearest examples vote with weight 1/(distance + ε); the prediction is the
 * genre with the largest total weight, confidence = its share of the k votes' weight
 * (1 when all neighbours agree, lower near a boundary between genres).
 */

export interface GenreFeatures {
  tempo: number | null;
  energy: number;
  valence: number;
  loudness: number;
}

export interface GenreExample {
  features: GenreFeatures;
  genreSlug: string;
}

export interface GenrePrediction {
  genreSlug: string;
  /** Share of the neighbours' vote weight that went to the winner, 0–1. */
  confidence: number;
}

export interface GenreModel {
  predict(features: GenreFeatures): GenrePrediction | null;
  /** Number of usable examples the model holds. */
  readonly size: number;
}

export interface GenreModelOptions {
  /** Neighbours consulted (default 5). */
  k?: number;
  /** Fewer usable examples than this → predict() returns null (default 5). */
  minExamples?: number;
}

const DIMENSIONS = 4;
const EPSILON = 1e-6;

function raw(f: GenreFeatures): [number | null, number, number, number] {
  const tempo =
    f.tempo !== null && Number.isFinite(f.tempo) && f.tempo > 0 ? Math.log2(f.tempo) : null;
  return [tempo, f.energy, f.valence, f.loudness];
}

function usable(f: GenreFeatures): boolean {
  return Number.isFinite(f.energy) && Number.isFinite(f.valence) && Number.isFinite(f.loudness);
}

export function createGenreModel(
  examples: readonly GenreExample[],
  options: GenreModelOptions = {},
): GenreModel {
  const k = Math.max(1, options.k ?? 5);
  const minExamples = Math.max(1, options.minExamples ?? 5);
  const rows = examples.filter((e) => e.genreSlug && usable(e.features));

  // Mean and standard deviation per dimension (tempo over the examples that have one).
  const mean = new Array<number>(DIMENSIONS).fill(0);
  const std = new Array<number>(DIMENSIONS).fill(1);
  for (let d = 0; d < DIMENSIONS; d++) {
    const values = rows
      .map((e) => raw(e.features)[d])
      .filter((v): v is number => v !== null && v !== undefined);
    if (values.length === 0) continue;
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length;
    mean[d] = m;
    std[d] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  const standardise = (f: GenreFeatures): number[] =>
    raw(f).map((v, d) => (v === null ? 0 : (v - (mean[d] ?? 0)) / (std[d] ?? 1)));
  const points = rows.map((e) => ({ z: standardise(e.features), genre: e.genreSlug }));

  return {
    size: points.length,
    predict(features: GenreFeatures): GenrePrediction | null {
      if (points.length < minExamples || !usable(features)) return null;
      const q = standardise(features);
      const nearest = points
        .map((p) => {
          let sum = 0;
          for (let d = 0; d < DIMENSIONS; d++) sum += ((p.z[d] ?? 0) - (q[d] ?? 0)) ** 2;
          return { genre: p.genre, distance: Math.sqrt(sum) };
        })
        .sort((a, b) => a.distance - b.distance)
        .slice(0, k);
      const votes = new Map<string, number>();
      let total = 0;
      for (const n of nearest) {
        const w = 1 / (n.distance + EPSILON);
        votes.set(n.genre, (votes.get(n.genre) ?? 0) + w);
        total += w;
      }
      let best: { genre: string; weight: number } | null = null;
      for (const [genre, weight] of votes) {
        if (!best || weight > best.weight || (weight === best.weight && genre < best.genre))
          best = { genre, weight };
      }
      if (!best || total <= 0) return null;
      return { genreSlug: best.genre, confidence: best.weight / total };
    },
  };
}
