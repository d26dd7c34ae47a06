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
import { TIMBRE_NAMES, timbreVector, type TimbreFeatures } from "./timbre";

export interface GenreFeatures {
  tempo: number | null;
  tempoConfidence?: number | null | undefined;
  energy: number;
  valence: number;
  loudness: number;
  truePeakDb?: number | null | undefined;
  timbre?: TimbreFeatures | null | undefined;
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

/** A model of the first kind (six features, no timbre): still stored in genre_models. */
export interface GenreModelParamsV1 {
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

/**
 * The current kind: the six base features z-scored, plus the timbre descriptors z-scored and
 * projected on their first `components.length` principal components (whitened); softmax
 * weights over [base z, components, 1]. Centroids/spreads are over the base features only.
 */
export interface GenreModelParamsV2 extends Omit<GenreModelParamsV1, "kind"> {
  kind: "softmax-v2";
  /** Names of the standardised inputs: FEATURE_NAMES then TIMBRE_NAMES. */
  features: string[];
  /** Whitened principal axes of the standardised timbre block (k × timbre features). */
  components: number[][];
  /** L2 penalty of the final fit. */
  l2: number;
  /** How k and λ were chosen: out-of-fold NLL per example (after temperature) of the winner. */
  selection: { folds: number; nll: number; candidates: number };
}

/** Everything a trained model is: JSON, stored in the catalog (genre_models) or shipped. */
export type GenreModelParams = GenreModelParamsV1 | GenreModelParamsV2;

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

/** The kind trainGenreModel produces; stored models of another kind are retrained by aggregate. */
export const CURRENT_MODEL_KIND = "softmax-v2";

export const FEATURE_NAMES = [
  "log2 tempo",
  "tempo confidence",
  "energy",
  "valence",
  "loudness",
  "crest",
] as const;
const D = FEATURE_NAMES.length;
const T = TIMBRE_NAMES.length;
export const MIN_CLASS_EXAMPLES = 3;
export const DEFAULT_THRESHOLD = 0.6;
/** RMS z-distance to the nearest class centroid beyond which a track is "unlike" all of them. */
export const OUT_OF_RANGE_DISTANCE = 3;
/** Candidates for the number of timbre principal components and the L2 penalty. */
export const COMPONENT_CHOICES = [0, 2, 4, 8, 12, 16, 24] as const;
export const L2_CHOICES = [0.003, 0.01, 0.03, 0.1, 0.3, 1] as const;
/** Model selection cross-validates on at most this many examples (every k-th, canonical order). */
export const SELECTION_MAX_EXAMPLES = 300;
/** Standardised inputs are clipped to ±CLIP (an odd value cannot dominate the logits). */
const CLIP = 4;
const V1_L2 = 0.1;
const V1_STEPS = 400;
const V1_RATE = 0.5;
const STEPS = 500;
const FOLDS = 5;

const finite = (v: number | null | undefined): v is number =>
  v !== null && v !== undefined && Number.isFinite(v);

/** Raw base feature vector; null where a value is missing (imputed with the mean). */
function raw(f: GenreFeatures): (number | null)[] {
  const tempo = finite(f.tempo) && f.tempo > 0 ? Math.log2(f.tempo) : null;
  const confidence = tempo === null ? 0 : (f.tempoConfidence ?? null);
  const crest = finite(f.truePeakDb) ? f.truePeakDb - f.loudness : null;
  return [tempo, confidence, f.energy, f.valence, f.loudness, crest];
}

/** Raw base + timbre vector; the timbre part is all null when the track has none. */
function rawAll(f: GenreFeatures): (number | null)[] {
  const timbre = timbreVector(f.timbre);
  return [...raw(f), ...(timbre ?? new Array<null>(T).fill(null))];
}

export function usable(f: GenreFeatures): boolean {
  return (
    Number.isFinite(f.energy) &&
    Number.isFinite(f.valence) &&
    Number.isFinite(f.loudness) &&
    f.loudness > -70
  );
}

/** z-scores; a missing value is the mean (0). Clipped to ±CLIP unless `clip` is false (v1). */
function standardiser(mean: number[], std: number[], clip = true) {
  return (values: (number | null)[]): number[] =>
    values.map((v, d) => {
      if (v === null) return 0;
      const z = (v - mean[d]!) / std[d]!;
      return clip ? Math.max(-CLIP, Math.min(CLIP, z)) : z;
    });
}

function softmax(logits: number[], temperature: number): number[] {
  const scaled = logits.map((l) => l / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Logits of inputs x (length = weights' columns − 1; the last column is the bias). */
function logitsOf(weights: number[][], x: number[]): number[] {
  return weights.map((w) => {
    const dims = w.length - 1;
    let s = w[dims]!;
    for (let d = 0; d < dims; d++) s += w[d]! * x[d]!;
    return s;
  });
}

/** Largest eigenvalue of XᵀX/n (bias column included), by power iteration: the step size. */
function curvature(x: number[][]): number {
  const dims = (x[0]?.length ?? 0) + 1;
  let v = new Array<number>(dims).fill(1 / Math.sqrt(dims));
  let lambda = 1;
  for (let it = 0; it < 30; it++) {
    const next = new Array<number>(dims).fill(0);
    for (const row of x) {
      let dot = v[dims - 1]!;
      for (let d = 0; d < dims - 1; d++) dot += row[d]! * v[d]!;
      for (let d = 0; d < dims - 1; d++) next[d]! += dot * row[d]!;
      next[dims - 1]! += dot;
    }
    const norm = Math.sqrt(next.reduce((a, b) => a + b * b, 0)) / x.length;
    if (!(norm > 0)) break;
    lambda = norm;
    v = next.map((e) => e / (norm * x.length));
  }
  return lambda;
}

/**
 * Softmax regression by full-batch gradient descent from zero weights (deterministic): a
 * fixed number of steps of size 1 / (½·λmax(XᵀX/n) + l2), which cannot diverge.
 */
function fit(
  x: number[][],
  y: number[],
  classes: number,
  l2: number,
  steps = STEPS,
  rate?: number,
): number[][] {
  const dims = x[0]?.length ?? 0;
  const n = x.length;
  const cols = dims + 1;
  const w = new Float64Array(classes * cols);
  const out = () =>
    Array.from({ length: classes }, (_, c) => Array.from(w.subarray(c * cols, (c + 1) * cols)));
  if (n === 0) return out();
  const step = rate ?? 1 / (0.5 * curvature(x) + l2);
  // Rows with a trailing 1 for the bias, flattened.
  const xs = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) xs[i * cols + d] = x[i]![d]!;
    xs[i * cols + dims] = 1;
  }
  const grad = new Float64Array(classes * cols);
  const p = new Float64Array(classes);
  for (let s = 0; s < steps; s++) {
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * cols;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        let v = 0;
        const wc = c * cols;
        for (let d = 0; d < cols; d++) v += w[wc + d]! * xs[row + d]!;
        p[c] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        const e = Math.exp(p[c]! - max);
        p[c] = e;
        sum += e;
      }
      for (let c = 0; c < classes; c++) {
        const e = p[c]! / sum - (y[i] === c ? 1 : 0);
        const gc = c * cols;
        for (let d = 0; d < cols; d++) grad[gc + d]! += e * xs[row + d]!;
      }
    }
    for (let c = 0; c < classes; c++)
      for (let d = 0; d < cols; d++) {
        const k = c * cols + d;
        const penalty = d < dims ? l2 * w[k]! : 0;
        w[k]! -= step * (grad[k]! / n + penalty);
      }
  }
  return out();
}

/** Eigen-decomposition of a symmetric matrix (cyclic Jacobi): values descending, vectors as rows. */
function symmetricEigen(a: number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const m = a.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p]![q]! ** 2;
    if (off < 1e-18) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = m[p]![q]!;
        if (Math.abs(apq) < 1e-15) continue;
        const theta = (m[q]![q]! - m[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k]![p]!;
          const mkq = m[k]![q]!;
          m[k]![p] = c * mkp - s * mkq;
          m[k]![q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p]![k]!;
          const mqk = m[q]![k]!;
          m[p]![k] = c * mpk - s * mqk;
          m[q]![k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
  }
  const order = m.map((_, i) => i).sort((i, j) => m[j]![j]! - m[i]![i]! || i - j);
  return {
    values: order.map((i) => m[i]![i]!),
    vectors: order.map((i) => {
      const vec = v.map((row) => row[i]!);
      // Sign convention: the largest entry positive (the same data give the same axes).
      let big = 0;
      for (let k = 1; k < n; k++) if (Math.abs(vec[k]!) > Math.abs(vec[big]!) + 1e-12) big = k;
      return vec[big]! < 0 ? vec.map((e) => -e) : vec;
    }),
  };
}

/**
 * Whitened principal axes of the timbre block of standardised rows (rows without timbre —
 * all zeros there — are left out), at most `k` of them, each scaled so its score has unit
 * variance. Axes with (near) zero variance are dropped.
 */
function timbreAxes(z: number[][], has: boolean[], k: number): number[][] {
  if (k === 0) return [];
  const rows = z.filter((_, i) => has[i]).map((r) => r.slice(D));
  if (rows.length < 3) return [];
  const cov = Array.from({ length: T }, () => new Array<number>(T).fill(0));
  const mean = new Array<number>(T).fill(0);
  for (const r of rows) for (let a = 0; a < T; a++) mean[a]! += r[a]! / rows.length;
  for (const r of rows)
    for (let a = 0; a < T; a++) {
      const da = r[a]! - mean[a]!;
      for (let b = a; b < T; b++) cov[a]![b]! += (da * (r[b]! - mean[b]!)) / rows.length;
    }
  for (let a = 0; a < T; a++) for (let b = 0; b < a; b++) cov[a]![b] = cov[b]![a]!;
  const { values, vectors } = symmetricEigen(cov);
  const axes: number[][] = [];
  for (let i = 0; i < Math.min(k, T); i++) {
    if (!(values[i]! > 1e-6)) break;
    const scale = 1 / Math.sqrt(values[i]!);
    axes.push(vectors[i]!.map((e) => e * scale));
  }
  return axes;
}

/** Model input: the base z-scores, then the timbre scores on `axes` (0 without timbre), clipped. */
function inputOf(z: number[], axes: number[][]): number[] {
  const out = z.slice(0, D);
  for (const axis of axes) {
    let s = 0;
    for (let a = 0; a < T; a++) s += axis[a]! * z[D + a]!;
    out.push(Math.max(-CLIP, Math.min(CLIP, s)));
  }
  return out;
}

const round = (v: number, digits = 6) => Math.round(v * 10 ** digits) / 10 ** digits;

/** A canonical order, so the same set of examples trains the same model. */
function canonical(examples: readonly GenreExample[]): GenreExample[] {
  const key = (e: GenreExample) => `${e.genreSlug}|${rawAll(e.features).join(",")}`;
  return [...examples].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Temperature on a grid 2^(k/4), 0.09–5.7, minimising the NLL of out-of-fold logits. */
function bestTemperature(oof: readonly { logits: number[]; label: number }[]): {
  temperature: number;
  nll: number;
} {
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
  return { temperature, nll: bestNll / Math.max(1, oof.length) };
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
  const rawRows = rows.map((e) => rawAll(e.features));
  const has = rows.map((e) => timbreVector(e.features.timbre) !== null);

  // Mean and spread per input over the rows that have it (missing values are imputed at 0).
  const mean = new Array<number>(D + T).fill(0);
  const std = new Array<number>(D + T).fill(1);
  for (let d = 0; d < D + T; d++) {
    const values = rawRows.map((r) => r[d]).filter((v): v is number => finite(v));
    if (values.length === 0) continue;
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length;
    mean[d] = round(m);
    std[d] = variance > 1e-9 ? round(Math.sqrt(variance)) : 1;
  }
  const standardise = standardiser(mean, std);
  const z = rawRows.map((r) => standardise(r));
  const y = rows.map((e) => classes.indexOf(e.genreSlug));

  // Model selection: every (components, λ) by FOLDS-fold cross-validation on these examples
  // (at most SELECTION_MAX_EXAMPLES of them, every stride-th in canonical order; fold =
  // index mod FOLDS; the principal axes are recomputed inside each fold),
  // scored by the out-of-fold NLL after temperature scaling; the first best wins (fewer
  // components, then smaller λ — the candidates' order).
  const stride = Math.ceil(z.length / SELECTION_MAX_EXAMPLES);
  const picked = z.map((_, i) => i).filter((i) => i % stride === 0);
  const withTimbre = picked.filter((i) => has[i]).length;
  const componentChoices = COMPONENT_CHOICES.filter((k) => k === 0 || k < withTimbre / 2);
  const foldAxes = new Map<string, number[][]>();
  const scored: { k: number; l2: number; nll: number; temperature: number }[] = [];
  let candidates = 0;
  for (const k of componentChoices)
    for (const l2 of L2_CHOICES) {
      candidates++;
      const oof: { logits: number[]; label: number }[] = [];
      for (let fold = 0; fold < FOLDS; fold++) {
        const trainIdx = picked.filter((_, j) => j % FOLDS !== fold);
        const testIdx = picked.filter((_, j) => j % FOLDS === fold);
        if (testIdx.length === 0) continue;
        const key = `${fold}/${k}`;
        let axes = foldAxes.get(key);
        if (!axes) {
          axes = timbreAxes(
            trainIdx.map((i) => z[i]!),
            trainIdx.map((i) => has[i]!),
            k,
          );
          foldAxes.set(key, axes);
        }
        const w = fit(
          trainIdx.map((i) => inputOf(z[i]!, axes)),
          trainIdx.map((i) => y[i]!),
          classes.length,
          l2,
        );
        for (const i of testIdx)
          oof.push({ logits: logitsOf(w, inputOf(z[i]!, axes)), label: y[i]! });
      }
      const { temperature, nll } = bestTemperature(oof);
      scored.push({ k, l2, nll, temperature });
    }
  // The lowest out-of-fold NLL wins; ties go to the earlier candidate (fewer components,
  // then the smaller λ).
  let chosen = scored[0]!;
  for (const c of scored) if (c.nll < chosen.nll - 1e-9) chosen = c;
  const axes = timbreAxes(z, has, chosen.k).map((a) => a.map((v) => round(v)));
  const weights = fit(
    z.map((r) => inputOf(r, axes)),
    y,
    classes.length,
    chosen.l2,
  ).map((w) => w.map((v) => round(v)));

  const { centroids, spreads, perClass } = classShapes(z, y, classes);
  const params: Omit<GenreModelParamsV2, "version"> = {
    kind: "softmax-v2",
    features: [...FEATURE_NAMES, ...TIMBRE_NAMES],
    classes,
    mean,
    std,
    components: axes,
    l2: chosen.l2,
    weights,
    temperature: chosen.temperature,
    threshold: options.threshold ?? DEFAULT_THRESHOLD,
    centroids,
    spreads,
    examples: rows.length,
    perClass,
    selection: { folds: FOLDS, nll: round(chosen.nll, 4), candidates },
  };
  const hash = createHash("sha256").update(JSON.stringify(params)).digest("hex").slice(0, 12);
  return { ...params, version: `${options.prefix ?? "genre-lr"}-${hash}` };
}

/** Per class: centroid and spread (≥ 0.25) of its base z-scores, and its size. */
function classShapes(z: number[][], y: number[], classes: string[]) {
  const centroids: number[][] = [];
  const spreads: number[][] = [];
  const perClass: Record<string, number> = {};
  classes.forEach((c, ci) => {
    const zs = z.filter((_, i) => y[i] === ci).map((r) => r.slice(0, D));
    perClass[c] = zs.length;
    const centre = new Array<number>(D)
      .fill(0)
      .map((_, d) => zs.reduce((a, v) => a + v[d]!, 0) / zs.length);
    const spread = centre.map((m, d) =>
      Math.max(0.25, Math.sqrt(zs.reduce((a, v) => a + (v[d]! - m) ** 2, 0) / zs.length)),
    );
    centroids.push(centre.map((v) => round(v)));
    spreads.push(spread.map((v) => round(v)));
  });
  return { centroids, spreads, perClass };
}

/**
 * The first kind of model (six features, λ = 0.1, 400 steps of 0.5, no clipping), kept so
 * tests and comparisons can still train one; stored v1 models predict through genreModelFrom.
 */
export function trainGenreModelV1(
  examples: readonly GenreExample[],
  options: TrainOptions = {},
): GenreModelParamsV1 | null {
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
    const values = rows.map((e) => raw(e.features)[d]).filter((v): v is number => finite(v));
    if (values.length === 0) continue;
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length;
    mean[d] = round(m);
    std[d] = variance > 1e-9 ? round(Math.sqrt(variance)) : 1;
  }
  const standardise = standardiser(mean, std, false);
  const z = rows.map((e) => standardise(raw(e.features)));
  const y = rows.map((e) => classes.indexOf(e.genreSlug));
  const oof: { logits: number[]; label: number }[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const trainIdx = z.map((_, i) => i).filter((i) => i % FOLDS !== fold);
    const testIdx = z.map((_, i) => i).filter((i) => i % FOLDS === fold);
    if (testIdx.length === 0) continue;
    const w = fit(
      trainIdx.map((i) => z[i]!),
      trainIdx.map((i) => y[i]!),
      classes.length,
      V1_L2,
      V1_STEPS,
      V1_RATE,
    );
    for (const i of testIdx) oof.push({ logits: logitsOf(w, z[i]!), label: y[i]! });
  }
  const { temperature } = bestTemperature(oof);
  const weights = fit(z, y, classes.length, V1_L2, V1_STEPS, V1_RATE).map((w) =>
    w.map((v) => round(v)),
  );
  const { centroids, spreads, perClass } = classShapes(z, y, classes);
  const params: Omit<GenreModelParamsV1, "version"> = {
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

/** A predictor for stored parameters of either kind (v1: six features; v2: with timbre). */
export function genreModelFrom(params: GenreModelParams): GenreModel {
  const v2 = params.kind === "softmax-v2" ? params : null;
  const standardise = standardiser(params.mean, params.std, v2 !== null);
  const unclipped = standardiser(params.mean.slice(0, D), params.std.slice(0, D), false);
  /** z: the base z-scores, unclipped (how far out of range the track is); x: the model input. */
  const inputs = (features: GenreFeatures): { z: number[]; x: number[] } => {
    const z = unclipped(raw(features));
    if (!v2) return { z, x: z };
    return { z, x: inputOf(standardise(rawAll(features)), v2.components) };
  };
  return {
    version: params.version,
    params,
    predict(features: GenreFeatures): GenrePrediction | null {
      if (!usable(features)) return null;
      const { z, x } = inputs(features);
      const p = softmax(logitsOf(params.weights, x), params.temperature);
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
      const probabilities: Record<string, number> = {};
      params.classes.forEach((c, i) => (probabilities[c] = round(p[i]!, 4)));
      const bestGuess = params.classes[best]!;
      const confidence = round(p[best]!, 4);
      // Distance to the nearest class over the base features, in that class's own spread.
      let nearest = Infinity;
      params.centroids.forEach((centre, c) => {
        let s = 0;
        for (let d = 0; d < D; d++) s += ((z[d]! - centre[d]!) / params.spreads[c]![d]!) ** 2;
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
