/**
 * Genre prediction for untagged tracks: multinomial logistic regression over six
 * standardised audio features, calibrated by temperature scaling, that ABSTAINS (no
 * genre, a reason in words) instead of guessing. Pure TS, no dependencies.
 *
 * Features (z-scored with the training examples' mean and standard deviation):
 *   log2(tempo)            — 70 → 140 BPM is as far as 140 → 280; imputed with the mean
 *                            when there is no steady beat;
 *   tempo confidence       — 0 without a tempo (steady electronic beats vs rubato);
 *   energy, valence        — 0–1 (see docs/analysis.md);
 *   loudness               — integrated LUFS;
 *   crest                  — true peak − loudness, dB (dynamics: orchestral recordings
 *                            keep peaks far above their loudness, mastered pop does not);
 *                            imputed with the mean when the true peak is unknown.
 * Training: softmax regression with an L2 penalty (λ = 0.1), full-batch
 * gradient descent from zero weights for a fixed number of steps, on the examples sorted
 * canonically — the same SET of examples always gives the same model, whatever the order
 * in which the tracks arrived. Classes with fewer than MIN_CLASS_EXAMPLES are left out.
 * Calibration: a temperature T divides the logits; T is chosen on a grid 2^(k/4),
 * 0.09–5.7, to minimise the negative log-likelihood of 5-fold out-of-fold predictions.
 * Abstention: no genre when the calibrated top probability is below the threshold
 * (default 0.6), or when the track is unlike every class it was trained on (RMS z-distance
 * to the nearest class centroid, per dimension and in that class's spread, above 3).
 * The model's parameters are plain JSON; its version is a hash of them.
 */
import { createHash } from "node:crypto";

export interface GenreFeatures {
  tempo: number | null;
  tempoConfidence?: number | null | undefined;
  energy: number;
  valence: number;
  loudness: number;
  truePeakDb?: number | null | undefined;
}

export interface GenreExample {
  features: GenreFeatures;
  genreSlug: string;
}

export interface GenrePrediction {
  /** The predicted genre, or null when the model abstains. */
  genreSlug: string | null;
  /** Calibrated probability of the most likely genre, 0–1. */
  confidence: number;
  /** The most likely genre even when abstaining (for the reason and for evaluation). */
  bestGuess: string;
  probabilities: Record<string, number>;
  /** Why no genre was given, in words (null when one was). */
  abstainReason: string | null;
  modelVersion: string;
}

/** Everything a trained model is: JSON, stored in the catalog (genre_models) or shipped. */
export interface GenreModelParams {
  kind: "softmax-v1";
  classes: string[];
  mean: number[];
  std: number[];
  /** classes × (features + 1): the last column is the bias. */
  weights: number[][];
  temperature: number;
  threshold: number;
  /** Per class, the centroid and spread of its standardised examples. */
  centroids: number[][];
  spreads: number[][];
  /** Examples trained on, in total and per class. */
  examples: number;
  perClass: Record<string, number>;
  version: string;
}

export interface GenreModel {
  readonly version: string;
  readonly params: GenreModelParams;
  predict(features: GenreFeatures): GenrePrediction | null;
}

export interface TrainOptions {
  /** Calibrated top probability under which the model abstains (default 0.6). */
  threshold?: number;
  /** Version prefix (default "genre-lr"). */
  prefix?: string;
}

export const FEATURE_NAMES = [
  "log2 tempo",
  "tempo confidence",
  "energy",
  "valence",
  "loudness",
  "crest",
] as const;
const D = FEATURE_NAMES.length;
export const MIN_CLASS_EXAMPLES = 3;
export const DEFAULT_THRESHOLD = 0.6;
/** RMS z-distance to the nearest class centroid beyond which a track is "unlike" all of them. */
export const OUT_OF_RANGE_DISTANCE = 3;
const L2 = 0.1;
const STEPS = 400;
const RATE = 0.5;
const FOLDS = 5;

/** Raw feature vector; null where a value is missing (imputed with the mean). */
function raw(f: GenreFeatures): (number | null)[] {
  const tempo =
    f.tempo !== null && Number.isFinite(f.tempo) && f.tempo > 0 ? Math.log2(f.tempo) : null;
  const confidence = tempo === null ? 0 : (f.tempoConfidence ?? null);
  const crest =
    f.truePeakDb !== null && f.truePeakDb !== undefined && Number.isFinite(f.truePeakDb)
      ? f.truePeakDb - f.loudness
      : null;
  return [tempo, confidence, f.energy, f.valence, f.loudness, crest];
}

export function usable(f: GenreFeatures): boolean {
  return (
    Number.isFinite(f.energy) &&
    Number.isFinite(f.valence) &&
    Number.isFinite(f.loudness) &&
    f.loudness > -70
  );
}

function standardiser(mean: number[], std: number[]) {
  return (f: GenreFeatures): number[] =>
    raw(f).map((v, d) => (v === null ? 0 : (v - mean[d]!) / std[d]!));
}

function softmax(logits: number[], temperature: number): number[] {
  const scaled = logits.map((l) => l / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function logitsOf(weights: number[][], z: number[]): number[] {
  return weights.map((w) => {
    let s = w[D]!;
    for (let d = 0; d < D; d++) s += w[d]! * z[d]!;
    return s;
  });
}

/** Softmax regression by full-batch gradient descent (deterministic). */
function fit(z: number[][], y: number[], classes: number): number[][] {
  const w = Array.from({ length: classes }, () => new Array<number>(D + 1).fill(0));
  const n = z.length;
  if (n === 0) return w;
  const grad = Array.from({ length: classes }, () => new Array<number>(D + 1).fill(0));
  for (let step = 0; step < STEPS; step++) {
    for (const g of grad) g.fill(0);
    for (let i = 0; i < n; i++) {
      const p = softmax(logitsOf(w, z[i]!), 1);
      for (let c = 0; c < classes; c++) {
        const e = p[c]! - (y[i] === c ? 1 : 0);
        const g = grad[c]!;
        for (let d = 0; d < D; d++) g[d]! += e * z[i]![d]!;
        g[D]! += e;
      }
    }
    for (let c = 0; c < classes; c++)
      for (let d = 0; d <= D; d++) {
        const penalty = d < D ? L2 * w[c]![d]! : 0;
        w[c]![d]! -= RATE * (grad[c]![d]! / n + penalty);
      }
  }
  return w;
}

const round = (v: number, digits = 6) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A canonical order, so the same set of examples trains the same model. */
function canonical(examples: readonly GenreExample[]): GenreExample[] {
  const key = (e: GenreExample) => `${e.genreSlug}|${raw(e.features).join(",")}`;
  return [...examples].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function trainGenreModel(
  examples: readonly GenreExample[],
  options: TrainOptions = {},
): GenreModelParams | null {
  const usableRows = canonical(examples.filter((e) => e.genreSlug && usable(e.features)));
  const counts = new Map<string, number>();
  for (const e of usableRows) counts.set(e.genreSlug, (counts.get(e.genreSlug) ?? 0) + 1);
  const classes = [...counts.entries()]
    .filter(([, n]) => n >= MIN_CLASS_EXAMPLES)
    .map(([c]) => c)
    .sort();
  if (classes.length < 2) return null;
  const rows = usableRows.filter((e) => classes.includes(e.genreSlug));

  const mean = new Array<number>(D).fill(0);
  const std = new Array<number>(D).fill(1);
  for (let d = 0; d < D; d++) {
    const values = rows
      .map((e) => raw(e.features)[d])
      .filter((v): v is number => v !== null && v !== undefined);
    if (values.length === 0) continue;
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length;
    mean[d] = round(m);
    std[d] = variance > 1e-9 ? round(Math.sqrt(variance)) : 1;
  }
  const standardise = standardiser(mean, std);
  const z = rows.map((e) => standardise(e.features));
  const y = rows.map((e) => classes.indexOf(e.genreSlug));

  // Temperature from out-of-fold predictions (fold = canonical index mod FOLDS).
  const oof: { logits: number[]; label: number }[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const trainIdx = z.map((_, i) => i).filter((i) => i % FOLDS !== fold);
    const testIdx = z.map((_, i) => i).filter((i) => i % FOLDS === fold);
    if (testIdx.length === 0) continue;
    const w = fit(
      trainIdx.map((i) => z[i]!),
      trainIdx.map((i) => y[i]!),
      classes.length,
    );
    for (const i of testIdx) oof.push({ logits: logitsOf(w, z[i]!), label: y[i]! });
  }
  let temperature = 1;
  let bestNll = Infinity;
  for (let k = -14; k <= 10; k++) {
    const t = round(Math.pow(2, k / 4), 4);
    let nll = 0;
    for (const o of oof) nll -= Math.log(Math.max(1e-12, softmax(o.logits, t)[o.label]!));
    if (nll < bestNll - 1e-9) {
      bestNll = nll;
      temperature = t;
    }
  }

  const weights = fit(z, y, classes.length).map((w) => w.map((v) => round(v)));
  const centroids: number[][] = [];
  const spreads: number[][] = [];
  const perClass: Record<string, number> = {};
  classes.forEach((c, ci) => {
    const zs = z.filter((_, i) => y[i] === ci);
    perClass[c] = zs.length;
    const centre = new Array<number>(D).fill(0).map((_, d) => {
      return zs.reduce((a, v) => a + v[d]!, 0) / zs.length;
    });
    const spread = centre.map((m, d) =>
      Math.max(0.25, Math.sqrt(zs.reduce((a, v) => a + (v[d]! - m) ** 2, 0) / zs.length)),
    );
    centroids.push(centre.map((v) => round(v)));
    spreads.push(spread.map((v) => round(v)));
  });

  const params: Omit<GenreModelParams, "version"> = {
    kind: "softmax-v1",
    classes,
    mean,
    std,
    weights,
    temperature,
    threshold: options.threshold ?? DEFAULT_THRESHOLD,
    centroids,
    spreads,
    examples: rows.length,
    perClass,
  };
  const hash = createHash("sha256").update(JSON.stringify(params)).digest("hex").slice(0, 12);
  return { ...params, version: `${options.prefix ?? "genre-lr"}-${hash}` };
}

const pct = (p: number) => `${Math.round(p * 100)} %`;

export function genreModelFrom(params: GenreModelParams): GenreModel {
  const standardise = standardiser(params.mean, params.std);
  return {
    version: params.version,
    params,
    predict(features: GenreFeatures): GenrePrediction | null {
      if (!usable(features)) return null;
      const zq = standardise(features);
      const p = softmax(logitsOf(params.weights, zq), params.temperature);
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
      const probabilities: Record<string, number> = {};
      params.classes.forEach((c, i) => (probabilities[c] = round(p[i]!, 4)));
      const bestGuess = params.classes[best]!;
      const confidence = round(p[best]!, 4);
      // Distance to the nearest class, in that class's own spread (RMS over dimensions).
      let nearest = Infinity;
      params.centroids.forEach((centre, c) => {
        let s = 0;
        for (let d = 0; d < D; d++) s += ((zq[d]! - centre[d]!) / params.spreads[c]![d]!) ** 2;
        nearest = Math.min(nearest, Math.sqrt(s / D));
      });
      let abstainReason: string | null = null;
      if (nearest > OUT_OF_RANGE_DISTANCE)
        abstainReason = `the sound is unlike every genre the model knows (${params.classes.join(", ")}); best guess ${bestGuess} at ${pct(confidence)}`;
      else if (confidence < params.threshold)
        abstainReason = `not confident enough: best guess ${bestGuess} at ${pct(confidence)}, below the ${pct(params.threshold)} threshold`;
      return {
        genreSlug: abstainReason ? null : bestGuess,
        confidence,
        bestGuess,
        probabilities,
        abstainReason,
        modelVersion: params.version,
      };
    },
  };
}

/** Expected calibration error of top-label confidences (equal-width bins). */
export function expectedCalibrationError(
  predictions: readonly { confidence: number; correct: boolean }[],
  bins = 10,
): number {
  if (predictions.length === 0) return 0;
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const lo = b / bins;
    const hi = (b + 1) / bins;
    const inBin = predictions.filter(
      (p) => p.confidence > lo && (p.confidence <= hi || (b === bins - 1 && p.confidence >= hi)),
    );
    if (inBin.length === 0) continue;
    const acc = inBin.filter((p) => p.correct).length / inBin.length;
    const conf = inBin.reduce((a, p) => a + p.confidence, 0) / inBin.length;
    ece += (inBin.length / predictions.length) * Math.abs(acc - conf);
  }
  return ece;
}

export interface GenreModelOptions {
  /** Examples trained on besides the given ones (the pipeline passes the reference set). */
  base?: readonly GenreExample[];
}

/**
 * A model trained on `examples` (plus `options.base`) whose predict() returns a genre only
 * when it does not abstain. Kept for callers that train per call; the pipeline predicts
 * with the versioned model of steps/genre.ts.
 */
export function createGenreModel(
  examples: readonly GenreExample[],
  options: GenreModelOptions = {},
): {
  readonly size: number;
  predict(features: GenreFeatures): { genreSlug: string; confidence: number } | null;
} {
  const params = trainGenreModel([...(options.base ?? []), ...examples]);
  const model = params ? genreModelFrom(params) : null;
  return {
    size: params?.examples ?? 0,
    predict(features) {
      const p = model?.predict(features);
      return p?.genreSlug ? { genreSlug: p.genreSlug, confidence: p.confidence } : null;
    },
  };
}
