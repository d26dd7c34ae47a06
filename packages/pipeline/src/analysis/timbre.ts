/**
 * Timbre and harmony descriptors for the genre model: what the music sounds like rather
 * than how loud it was mastered. Computed on the analysis window (≤ 60 s from the middle of
 * the track, the same mono window tempo and tonal use) in one pass of short-time spectra:
 *
 *   frames   — the window is reduced to ≤ 24 kHz (pairs of samples averaged above 32 kHz),
 *              2048-point Hann frames (~90 ms) every 1024 samples; frames quieter than
 *              −50 dBFS RMS are skipped (but counted for the low-energy share);
 *   MFCC     — 40 triangular mel bands (HTK mel scale) 30 Hz – 8 kHz on the power spectrum,
 *              10·log10 floored 80 dB below the frame's loudest band, orthonormal DCT-II, coefficients 0–12: mean and standard deviation
 *              over frames (c0 follows the level; c1–c12 do not);
 *   spectral — centroid (log2 Hz), bandwidth (log2 Hz), 85 % roll-off (log2 Hz), flatness
 *              (log10 of geometric / arithmetic mean power), all below 8 kHz so that every
 *              sample rate ≥ 16 kHz measures the same band; flux (mean absolute change of the
 *              log-mel spectrum between consecutive frames, dB);
 *   contrast — per octave band 0–200, 200–400, … 3.2–8 kHz: mean dB of the loudest 2 % of
 *              bins minus that of the quietest 2 % (peaks over valleys: tonal vs noisy);
 *   harmony  — a 12-bin chroma (power of the bins 65 Hz – 2.1 kHz folded to pitch classes):
 *              mean normalised entropy of each frame's chroma, key clarity (best
 *              Krumhansl–Kessler correlation of the mean chroma), and on 8-frame (~0.37 s)
 *              blocks the tonal centroid of Harte et al. 2006 (6-D: fifths, minor and major
 *              thirds): its mean norm (how tonal) and mean change between blocks (how fast
 *              the harmony moves);
 *   dynamics — share of frames below the window's mean frame RMS (low-energy ratio), and
 *              the standard deviation of frame level in dB; zero-crossing rate.
 * All values are relative (gain-invariant) except MFCC c0. Pure TS, no dependencies.
 */
import { magnitudeSpectrum } from "./fft";
import { keyStrength } from "./tonal";

export const TIMBRE_VERSION = 1;

export interface TimbreFeatures {
  /** Bumped when a descriptor's definition changes (a model ignores other versions). */
  version: number;
  /** Frames loud enough to analyse. */
  frames: number;
  mfccMean: number[];
  mfccStd: number[];
  /** Spectral contrast per octave band (6), dB. */
  contrast: number[];
  centroid: number;
  centroidStd: number;
  bandwidth: number;
  rolloff: number;
  flatness: number;
  flatnessStd: number;
  flux: number;
  fluxStd: number;
  zcr: number;
  lowEnergy: number;
  levelStd: number;
  chromaEntropy: number;
  keyClarity: number;
  tonalStrength: number;
  harmonicChange: number;
}

/** The descriptors as one vector (the genre model's input), in TIMBRE_NAMES order. */
export const TIMBRE_NAMES: readonly string[] = [
  ...Array.from({ length: 13 }, (_, i) => `mfcc${i} mean`),
  ...Array.from({ length: 13 }, (_, i) => `mfcc${i} std`),
  ...["0-200", "200-400", "400-800", "800-1.6k", "1.6-3.2k", "3.2-8k"].map(
    (b) => `contrast ${b} Hz`,
  ),
  "centroid",
  "centroid std",
  "bandwidth",
  "roll-off",
  "flatness",
  "flatness std",
  "flux",
  "flux std",
  "zero crossings",
  "low-energy share",
  "level std",
  "chroma entropy",
  "key clarity",
  "tonal strength",
  "harmonic change",
];

/** The vector of a descriptor set, or null when it is missing or of another version. */
export function timbreVector(t: TimbreFeatures | null | undefined): number[] | null {
  // Stored JSON (tracks.timbre) is checked, not trusted: a wrong shape is "missing".
  if (!t || t.version !== TIMBRE_VERSION || !(t.frames >= 1)) return null;
  if (![t.mfccMean, t.mfccStd, t.contrast].every((a) => Array.isArray(a))) return null;
  const v = [
    ...t.mfccMean,
    ...t.mfccStd,
    ...t.contrast,
    t.centroid,
    t.centroidStd,
    t.bandwidth,
    t.rolloff,
    t.flatness,
    t.flatnessStd,
    t.flux,
    t.fluxStd,
    t.zcr,
    t.lowEnergy,
    t.levelStd,
    t.chromaEntropy,
    t.keyClarity,
    t.tonalStrength,
    t.harmonicChange,
  ];
  return v.length === TIMBRE_NAMES.length &&
    v.every((x) => typeof x === "number" && Number.isFinite(x))
    ? v
    : null;
}

const N = 2048;
const HOP = 1024;
const MEL_BANDS = 40;
const MFCC = 13;
const F_MIN = 30;
const F_MAX = 8000;
const MIN_FRAME_RMS = 0.00316;
const CONTRAST_EDGES = [0, 200, 400, 800, 1600, 3200, 8000];
const CONTRAST_ALPHA = 0.02;
const CHROMA_LO = 65;
const CHROMA_HI = 2100;
const BLOCK = 8;
/** Levels more than this far below a frame's loudest band (or a band's peak) count as the floor. */
const FLOOR_DB = 80;

const hzToMel = (f: number) => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number) => 700 * (10 ** (m / 2595) - 1);

interface Plan {
  /** Per mel band: first bin and weights. */
  mel: { start: number; weights: Float64Array }[];
  /** DCT-II (orthonormal) matrix, MFCC × MEL_BANDS. */
  dct: Float64Array[];
  /** Last bin below F_MAX. */
  top: number;
  /** Bin ranges of the contrast bands. */
  contrast: [number, number][];
  /** Pitch class of each bin (−1 outside the chroma range). */
  pitchClass: Int8Array;
  /** Frequency of each bin (Hz). */
  freq: Float64Array;
}

const plans = new Map<number, Plan>();

function planFor(rate: number): Plan {
  let plan = plans.get(rate);
  if (plan) return plan;
  const bins = N / 2 + 1;
  const freq = new Float64Array(bins);
  for (let k = 0; k < bins; k++) freq[k] = (k * rate) / N;
  const fMax = Math.min(F_MAX, rate / 2);
  const top = Math.min(bins - 1, Math.floor((fMax * N) / rate));
  const edges = Array.from({ length: MEL_BANDS + 2 }, (_, i) =>
    melToHz(hzToMel(F_MIN) + ((hzToMel(fMax) - hzToMel(F_MIN)) * i) / (MEL_BANDS + 1)),
  );
  const mel = Array.from({ length: MEL_BANDS }, (_, b) => {
    const lo = edges[b]!;
    const mid = edges[b + 1]!;
    const hi = edges[b + 2]!;
    const start = Math.max(0, Math.ceil((lo * N) / rate));
    const end = Math.min(top, Math.floor((hi * N) / rate));
    const weights = new Float64Array(Math.max(1, end - start + 1));
    for (let k = start; k <= end; k++) {
      const f = freq[k]!;
      weights[k - start] = f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
    }
    // A band narrower than one bin still gets its nearest bin.
    if (end < start) weights[0] = 1;
    return { start: Math.min(start, top), weights };
  });
  const dct = Array.from({ length: MFCC }, (_, c) => {
    const row = new Float64Array(MEL_BANDS);
    const scale = c === 0 ? Math.sqrt(1 / MEL_BANDS) : Math.sqrt(2 / MEL_BANDS);
    for (let b = 0; b < MEL_BANDS; b++)
      row[b] = scale * Math.cos((Math.PI * c * (b + 0.5)) / MEL_BANDS);
    return row;
  });
  const contrast: [number, number][] = [];
  for (let i = 0; i + 1 < CONTRAST_EDGES.length; i++) {
    const lo = Math.max(1, Math.ceil((CONTRAST_EDGES[i]! * N) / rate));
    const hi = Math.min(top, Math.floor((CONTRAST_EDGES[i + 1]! * N) / rate));
    contrast.push([lo, Math.max(lo, hi)]);
  }
  const pitchClass = new Int8Array(bins).fill(-1);
  for (let k = 1; k < bins; k++) {
    const f = freq[k]!;
    if (f < CHROMA_LO || f > CHROMA_HI) continue;
    const midi = Math.round(69 + 12 * Math.log2(f / 440));
    pitchClass[k] = ((midi % 12) + 12) % 12;
  }
  plan = { mel, dct, top, contrast, pitchClass, freq };
  plans.set(rate, plan);
  return plan;
}

/** Tonal-centroid basis (Harte, Sandler & Gasser 2006): radii 1, 1, 0.5. */
const TONNETZ = Array.from({ length: 12 }, (_, l) => [
  Math.sin((l * 7 * Math.PI) / 6),
  Math.cos((l * 7 * Math.PI) / 6),
  Math.sin((l * 3 * Math.PI) / 2),
  Math.cos((l * 3 * Math.PI) / 2),
  0.5 * Math.sin((l * 2 * Math.PI) / 3),
  0.5 * Math.cos((l * 2 * Math.PI) / 3),
]);

function tonalCentroid(chroma: Float64Array): number[] | null {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += chroma[i]!;
  if (!(sum > 0)) return null;
  const out = [0, 0, 0, 0, 0, 0];
  for (let l = 0; l < 12; l++) {
    const w = chroma[l]! / sum;
    const basis = TONNETZ[l]!;
    for (let d = 0; d < 6; d++) out[d]! += w * basis[d]!;
  }
  return out;
}

class Stat {
  n = 0;
  sum = 0;
  sq = 0;
  add(v: number): void {
    this.n++;
    this.sum += v;
    this.sq += v * v;
  }
  get mean(): number {
    return this.n > 0 ? this.sum / this.n : 0;
  }
  get std(): number {
    if (this.n < 2) return 0;
    const m = this.mean;
    return Math.sqrt(Math.max(0, this.sq / this.n - m * m));
  }
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** The descriptors of a mono window, or null when it has no frame loud enough to analyse. */
export function timbreFeatures(window: Float32Array, sampleRate: number): TimbreFeatures | null {
  const factor = sampleRate > 32_000 ? 2 : 1;
  const rate = sampleRate / factor;
  let signal = window;
  if (factor === 2) {
    signal = new Float32Array(Math.floor(window.length / 2));
    for (let i = 0; i < signal.length; i++) signal[i] = 0.5 * (window[2 * i]! + window[2 * i + 1]!);
  }
  if (signal.length < N) return null;
  const plan = planFor(rate);
  const mag = new Float64Array(N / 2 + 1);
  const re = new Float64Array(N / 2);
  const im = new Float64Array(N / 2);
  const power = new Float64Array(N / 2 + 1);
  const logMel = new Float64Array(MEL_BANDS);
  const prevMel = new Float64Array(MEL_BANDS);
  const chroma = new Float64Array(12);
  const block = new Float64Array(12);
  const meanChroma = new Float64Array(12);
  const scratch = new Float64Array(N / 2 + 1);
  const mfcc = Array.from({ length: MFCC }, () => new Stat());
  const contrast = CONTRAST_EDGES.slice(1).map(() => new Stat());
  const centroid = new Stat();
  const bandwidth = new Stat();
  const rolloff = new Stat();
  const flatness = new Stat();
  const flux = new Stat();
  const zcr = new Stat();
  const level = new Stat();
  const entropy = new Stat();
  const strength = new Stat();
  const change = new Stat();
  const frameRms: number[] = [];
  let havePrev = false;
  let blockFrames = 0;
  let prevCentroid: number[] | null = null;
  let frames = 0;

  for (let offset = 0; offset + N <= signal.length; offset += HOP) {
    let ms = 0;
    let crossings = 0;
    let last = signal[offset]!;
    for (let i = 0; i < N; i++) {
      const v = signal[offset + i]!;
      ms += v * v;
      if (v >= 0 !== last >= 0) crossings++;
      last = v;
    }
    const rms = Math.sqrt(ms / N);
    frameRms.push(rms);
    if (rms < MIN_FRAME_RMS) {
      havePrev = false;
      continue;
    }
    frames++;
    zcr.add(crossings / N);
    level.add(20 * Math.log10(rms));
    magnitudeSpectrum(signal, offset, N, mag, re, im);
    let total = 0;
    let weighted = 0;
    let logSum = 0;
    for (let k = 1; k <= plan.top; k++) {
      const p = mag[k]! * mag[k]!;
      power[k] = p;
      total += p;
      weighted += p * plan.freq[k]!;
      logSum += Math.log(p + 1e-30);
    }
    if (!(total > 0)) continue;
    const c = weighted / total;
    let spread = 0;
    let cumulative = 0;
    let roll = plan.freq[plan.top]!;
    let rolled = false;
    for (let k = 1; k <= plan.top; k++) {
      const p = power[k]!;
      spread += p * (plan.freq[k]! - c) ** 2;
      cumulative += p;
      if (!rolled && cumulative >= 0.85 * total) {
        roll = plan.freq[k]!;
        rolled = true;
      }
    }
    centroid.add(Math.log2(Math.max(20, c)));
    bandwidth.add(Math.log2(Math.max(20, Math.sqrt(spread / total))));
    rolloff.add(Math.log2(Math.max(20, roll)));
    const geometric = Math.exp(logSum / plan.top);
    flatness.add(Math.log10(Math.max(1e-6, geometric / (total / plan.top))));

    // Mel bands, MFCC, flux.
    let fluxSum = 0;
    let loudest = 0;
    for (let b = 0; b < MEL_BANDS; b++) {
      const { start, weights } = plan.mel[b]!;
      let s = 0;
      for (let j = 0; j < weights.length; j++) s += weights[j]! * (power[start + j] ?? 0);
      logMel[b] = s;
      if (s > loudest) loudest = s;
    }
    // dB with a floor FLOOR_DB below the frame's loudest band (gain-invariant, like top_db).
    const floor = loudest * 10 ** (-FLOOR_DB / 10) + 1e-30;
    for (let b = 0; b < MEL_BANDS; b++) {
      const db = 10 * Math.log10(Math.max(logMel[b]!, floor));
      if (havePrev) fluxSum += Math.abs(db - prevMel[b]!);
      logMel[b] = db;
    }
    if (havePrev) flux.add(fluxSum / MEL_BANDS);
    prevMel.set(logMel);
    havePrev = true;
    for (let m = 0; m < MFCC; m++) {
      const row = plan.dct[m]!;
      let s = 0;
      for (let b = 0; b < MEL_BANDS; b++) s += row[b]! * logMel[b]!;
      mfcc[m]!.add(s);
    }

    // Spectral contrast: loudest vs quietest 2 % of each octave band, dB.
    plan.contrast.forEach(([lo, hi], i) => {
      const n = hi - lo + 1;
      const view = scratch.subarray(0, n);
      for (let k = lo; k <= hi; k++) view[k - lo] = power[k]!;
      view.sort();
      const q = Math.max(1, Math.round(CONTRAST_ALPHA * n));
      let valley = 0;
      let peak = 0;
      for (let j = 0; j < q; j++) {
        valley += view[j]!;
        peak += view[n - 1 - j]!;
      }
      const top = peak / q + 1e-30;
      contrast[i]!.add(10 * Math.log10(top / Math.max(valley / q, top * 10 ** (-FLOOR_DB / 10))));
    });

    // Chroma of this frame.
    chroma.fill(0);
    for (let k = 1; k <= plan.top; k++) {
      const pc = plan.pitchClass[k]!;
      if (pc >= 0) chroma[pc]! += power[k]!;
    }
    let chromaSum = 0;
    for (let i = 0; i < 12; i++) chromaSum += chroma[i]!;
    if (chromaSum > 0) {
      let h = 0;
      for (let i = 0; i < 12; i++) {
        const p = chroma[i]! / chromaSum;
        if (p > 0) h -= p * Math.log(p);
        meanChroma[i]! += p;
        block[i]! += p;
      }
      entropy.add(h / Math.log(12));
      if (++blockFrames === BLOCK) {
        const tc = tonalCentroid(block);
        if (tc) {
          strength.add(Math.hypot(...tc));
          if (prevCentroid) change.add(Math.hypot(...tc.map((v, d) => v - prevCentroid![d]!)));
          prevCentroid = tc;
        }
        block.fill(0);
        blockFrames = 0;
      }
    }
  }
  if (frames === 0) return null;
  const meanRms = frameRms.reduce((a, b) => a + b, 0) / frameRms.length;
  const lowEnergy = frameRms.filter((v) => v < meanRms).length / frameRms.length;
  return {
    version: TIMBRE_VERSION,
    frames,
    mfccMean: mfcc.map((s) => r4(s.mean)),
    mfccStd: mfcc.map((s) => r4(s.std)),
    contrast: contrast.map((s) => r4(s.mean)),
    centroid: r4(centroid.mean),
    centroidStd: r4(centroid.std),
    bandwidth: r4(bandwidth.mean),
    rolloff: r4(rolloff.mean),
    flatness: r4(flatness.mean),
    flatnessStd: r4(flatness.std),
    flux: r4(flux.mean),
    fluxStd: r4(flux.std),
    zcr: r4(zcr.mean),
    lowEnergy: r4(lowEnergy),
    levelStd: r4(level.std),
    chromaEntropy: r4(entropy.mean),
    keyClarity: r4(keyStrength(Array.from(meanChroma))),
    tonalStrength: r4(strength.mean),
    harmonicChange: r4(change.mean),
  };
}
