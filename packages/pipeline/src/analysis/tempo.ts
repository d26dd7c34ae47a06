/**
 * Tempo: onset-strength envelope → autocorrelation tempogram → comb-filter scoring with
 * a log-normal prior on common tempos and an octave / 3:2 metrical-level check. Pure TS.
 *
 * 1. Onset strength. The analysis window is decimated to ~11 kHz; a 1024-point Hann STFT
 *    (93 ms) every 128 samples (11.6 ms, ~86 frames/s) gives magnitudes, log-compressed
 *    (log(1 + 1000·|X|)); the onset strength of a frame is the sum over bins of the
 *    positive change from the previous frame (spectral flux), minus its 1 s moving average.
 * 2. Tempogram. Autocorrelations of the envelope over 8 s windows every 2 s, each
 *    normalised by its lag-0 value, averaged: A(lag), robust to drifts and breaks.
 * 3. Comb filter. For a candidate tempo with beat lag L, comb(L) = mean of A(k·L), k = 1…4
 *    (a true beat repeats at every multiple of its period; a 3:2 or off-beat candidate
 *    misses most of them).
 * 4. Prior. Listeners and annotators favour tempos near 120 BPM: the score is multiplied
 *    by a log-normal weight exp(−½·(log2(bpm/120)/σ)²) with σ = 1 octave (librosa's
 *    default), over 40–240 BPM.
 * 5. Metrical level. A pulse whose half-period is as strong as the pulse itself is
 *    evenly subdivided (a click at 180 BPM looks like "90 BPM with an equally strong
 *    off-beat"): the score is multiplied by 1 − ½·A(L/2)/A(L), so the subdivision wins
 *    when it is as strong, and a kick/snare beat over weaker hi-hats keeps its level.
 * 6. The best candidate on a 0.5 % grid is refined by parabolic interpolation of the comb
 *    score, then rechecked against its ×2, ×½, ×3/2, ×2/3, ×3, ×⅓ relatives.
 *
 * Confidence: the share of the 8 s windows whose own best tempo (same scoring) agrees
 * with the global one within 4 % — 1 for a steady beat all through, low when the beat
 * wanders, stops or is ambiguous. No tempo (null, with a reason) when the signal is
 * shorter than MIN_TEMPO_SECONDS, has no onsets (a drone: spectral novelty below
 * MIN_NOVELTY), or its onsets do not repeat (periodicity below MIN_BEAT_PERIODICITY or
 * confidence below MIN_CONFIDENCE).
 */
import { magnitudeSpectrum } from "./fft";

export const TEMPO_MIN_BPM = 40;
export const TEMPO_MAX_BPM = 240;
/** Shortest signal we try to find a beat in (seconds). */
export const MIN_TEMPO_SECONDS = 3;
/** Normalised autocorrelation at the beat lag needed to report a tempo. */
export const MIN_BEAT_PERIODICITY = 0.1;
/** Spectral novelty below which a signal is a steady tone/drone (no onsets at all). */
export const MIN_NOVELTY = 0.05;
/** Share of windows agreeing with the global tempo needed to report it. */
export const MIN_CONFIDENCE = 0.25;
export const PRIOR_CENTRE_BPM = 120;
export const PRIOR_SIGMA_OCTAVES = 1;

const TARGET_RATE = 11_025;
const FFT_SIZE = 1024;
const HOP = 128;
const LOCAL_SECONDS = 8;
const LOCAL_STEP_SECONDS = 2;

export interface TempoEstimate {
  bpm: number;
  /** Share of 8 s windows whose own tempo agrees with this one, 0–1. */
  confidence: number;
  /** Normalised autocorrelation of the onset envelope at the beat lag, 0–1. */
  periodicity: number;
}

export interface TempoResult {
  tempo: TempoEstimate | null;
  /** Why there is no tempo, in words (null when there is one). */
  reason: string | null;
  /** Onsets per second in the analysis window (peaks of the onset envelope), ≥ 0. */
  onsetDensity: number;
}

/** Shortest gap between two counted onsets (s): 20 onsets/s at most. */
const MIN_ONSET_GAP_SECONDS = 0.05;
/** Neighbourhood of the adaptive onset threshold (s either side). */
const ONSET_THRESHOLD_SECONDS = 1.5;

/**
 * Onsets per second: peaks of the onset envelope that are the largest within ±50 ms and
 * stand above an adaptive threshold — the mean of the envelope over ±1.5 s plus one
 * standard deviation of the whole envelope's non-zero part — so a quiet passage's small
 * flicker and a sustained note's shimmer are not counted as attacks.
 */
export function onsetDensity(envelope: Float64Array, fps: number): number {
  const n = envelope.length;
  if (n < 3 || fps <= 0) return 0;
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = envelope[i]!;
    if (v > 0) {
      sum += v;
      sumSq += v * v;
      count++;
    }
  }
  if (count === 0) return 0;
  const mean = sum / count;
  const std = Math.sqrt(Math.max(0, sumSq / count - mean * mean));
  const gap = Math.max(1, Math.round(MIN_ONSET_GAP_SECONDS * fps));
  const half = Math.max(1, Math.round(ONSET_THRESHOLD_SECONDS * fps));
  // Prefix sums for the moving mean.
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + envelope[i]!;
  let onsets = 0;
  let last = -Infinity;
  for (let i = 1; i < n - 1; i++) {
    const v = envelope[i]!;
    if (v <= 0 || i - last < gap) continue;
    let isPeak = true;
    for (let k = Math.max(0, i - gap); k <= Math.min(n - 1, i + gap) && isPeak; k++)
      if (envelope[k]! > v) isPeak = false;
    if (!isPeak) continue;
    const lo = Math.max(0, i - half);
    const hi = Math.min(n, i + half + 1);
    const local = (prefix[hi]! - prefix[lo]!) / (hi - lo);
    if (v > local + std) {
      onsets++;
      last = i;
    }
  }
  return onsets / (n / fps);
}

export const NO_TEMPO_SHORT = "too short to find a beat";
export const NO_TEMPO_DRONE = "no rhythmic onsets (a steady tone or drone)";
export const NO_TEMPO_UNSTEADY = "no steady beat: the onsets do not repeat regularly";

/** Box-filter decimation by an integer factor (crude anti-aliasing is fine for onsets). */
export function decimate(signal: Float32Array, factor: number): Float32Array {
  if (factor <= 1) return signal;
  const out = new Float32Array(Math.floor(signal.length / factor));
  const scale = 1 / factor;
  for (let i = 0, j = 0; i < out.length; i++) {
    let sum = 0;
    for (let k = 0; k < factor; k++) sum += signal[j++] ?? 0;
    out[i] = sum * scale;
  }
  return out;
}

/**
 * Spectral novelty: Σ positive magnitude increases between successive non-overlapping
 * ~93 ms Hann frames, over Σ magnitudes. ≈0 for steady tones and chords (partials are
 * resolved, so beating does not register), ~0.3 for noise, 0.3–0.7 for rhythmic music.
 */
export function spectralNovelty(x: Float32Array, rate: number): number {
  const n = Math.pow(2, Math.round(Math.log2(0.093 * rate)));
  const bins = n / 2 + 1;
  let prev = new Float64Array(bins);
  let cur = new Float64Array(bins);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let flux = 0;
  let total = 0;
  for (let offset = 0, frame = 0; offset + n <= x.length; offset += n, frame++) {
    magnitudeSpectrum(x, offset, n, cur, re, im);
    if (frame > 0) {
      for (let k = 0; k < bins; k++) {
        const c = cur[k] ?? 0;
        const d = c - (prev[k] ?? 0);
        if (d > 0) flux += d;
        total += c;
      }
    }
    [prev, cur] = [cur, prev];
  }
  return total > 0 ? flux / total : 0;
}

/** Onset-strength envelope (log-magnitude spectral flux, local mean removed, ≥ 0). */
export function onsetEnvelope(
  x: Float32Array,
  rate: number,
): { envelope: Float64Array; fps: number } {
  const frames = Math.max(0, Math.floor((x.length - FFT_SIZE) / HOP) + 1);
  const bins = FFT_SIZE / 2 + 1;
  let prev = new Float64Array(bins);
  let cur = new Float64Array(bins);
  const re = new Float64Array(FFT_SIZE);
  const im = new Float64Array(FFT_SIZE);
  const raw = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    magnitudeSpectrum(x, f * HOP, FFT_SIZE, cur, re, im);
    let flux = 0;
    for (let k = 1; k < bins; k++) {
      const c = Math.log1p(1000 * cur[k]!);
      cur[k] = c;
      const d = c - prev[k]!;
      if (d > 0 && f > 0) flux += d;
    }
    raw[f] = flux;
    [prev, cur] = [cur, prev];
  }
  const fps = rate / HOP;
  // Remove the 1 s moving average (slow level changes are not onsets); keep the positive part.
  const half = Math.round(fps / 2);
  const envelope = new Float64Array(frames);
  let sum = 0;
  let lo = 0;
  let hi = -1;
  for (let i = 0; i < frames; i++) {
    while (hi < Math.min(frames - 1, i + half)) sum += raw[++hi]!;
    while (lo < i - half) sum -= raw[lo++]!;
    const v = raw[i]! - sum / (hi - lo + 1);
    envelope[i] = v > 0 ? v : 0;
  }
  return { envelope, fps };
}

/** Normalised autocorrelation of env[from, to) for lags 0…maxLag. */
function autocorrelation(
  env: Float64Array,
  from: number,
  to: number,
  maxLag: number,
): Float64Array {
  const out = new Float64Array(maxLag + 1);
  let mean = 0;
  for (let i = from; i < to; i++) mean += env[i]!;
  mean /= Math.max(1, to - from);
  let zero = 0;
  for (let i = from; i < to; i++) zero += (env[i]! - mean) ** 2;
  if (zero <= 0) return out;
  for (let lag = 0; lag <= maxLag; lag++) {
    let s = 0;
    for (let i = from; i + lag < to; i++) s += (env[i]! - mean) * (env[i + lag]! - mean);
    // Unbiased: correct for the shrinking overlap so long lags are not penalised.
    out[lag] = (s / zero) * ((to - from) / Math.max(1, to - from - lag));
  }
  return out;
}

function at(a: Float64Array, lag: number): number {
  if (lag < 0 || lag > a.length - 1) return 0;
  const i = Math.floor(lag);
  const f = lag - i;
  const v = (a[i] ?? 0) * (1 - f) + (a[Math.min(a.length - 1, i + 1)] ?? 0) * f;
  return v > 0 ? v : 0;
}

export function tempoPrior(bpm: number): number {
  const z = Math.log2(bpm / PRIOR_CENTRE_BPM) / PRIOR_SIGMA_OCTAVES;
  return Math.exp(-0.5 * z * z);
}

/** Comb score with prior and metrical-level check for one tempo. */
function score(t: Tempogram, fps: number, bpm: number): number {
  if (bpm < TEMPO_MIN_BPM || bpm > TEMPO_MAX_BPM) return 0;
  const a = t.acf;
  const lag = (60 * fps) / bpm;
  if (COMB * lag > a.length - 1) return 0;
  let comb = 0;
  for (let k = 1; k <= COMB; k++) comb += at(a, k * lag) / COMB;
  return tempoPrior(bpm) * comb;
}

const GRID_STEP = 1.005;
const COMB = 4;

/** ACF (over lags) and DFT magnitude (as a function of tempo) of the onset envelope. */
interface Tempogram {
  acf: Float64Array;
  dft: (bpm: number) => number;
}
/** Half-period autocorrelation over period autocorrelation at which the faster pulse wins. */
const SUBDIVISION_RATIO = 0.95;
/** Only a mechanically exact pulse (clicks, programmed loops) is tested for subdivision. */
const MECHANICAL_PERIODICITY = 0.7;

const GRID: number[] = [];
for (let bpm = TEMPO_MIN_BPM; bpm <= TEMPO_MAX_BPM * 1.0001; bpm *= GRID_STEP) GRID.push(bpm);

/** DFT magnitude of env[from, to) (Hann-weighted, mean removed) at every grid tempo. */
function dftOnGrid(env: Float64Array, from: number, to: number, fps: number): Float64Array {
  const n = to - from;
  let mean = 0;
  for (let i = from; i < to; i++) mean += env[i]!;
  mean /= Math.max(1, n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++)
    x[i] = (env[from + i]! - mean) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  const out = new Float64Array(GRID.length);
  let max = 0;
  for (let g = 0; g < GRID.length; g++) {
    const w = (2 * Math.PI * GRID[g]!) / 60 / fps;
    // Goertzel.
    const c = 2 * Math.cos(w);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const s0 = x[i]! + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const mag = Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2));
    out[g] = mag;
    if (mag > max) max = mag;
  }
  if (max > 0) for (let g = 0; g < out.length; g++) out[g]! /= max;
  return out;
}

function gridLookup(values: Float64Array): (bpm: number) => number {
  return (bpm) => {
    const pos = Math.log(bpm / TEMPO_MIN_BPM) / Math.log(GRID_STEP);
    if (pos < 0 || pos > values.length - 1) return 0;
    const i = Math.floor(pos);
    const f = pos - i;
    return values[i]! * (1 - f) + (values[Math.min(values.length - 1, i + 1)] ?? 0) * f;
  };
}

function bestTempo(t: Tempogram, fps: number): { bpm: number; score: number } {
  let best = { bpm: PRIOR_CENTRE_BPM, score: 0 };
  for (const bpm of GRID) {
    const s = score(t, fps, bpm);
    if (s > best.score) best = { bpm, score: s };
  }
  // Parabolic refinement on the log grid.
  const l = score(t, fps, best.bpm / GRID_STEP);
  const r = score(t, fps, best.bpm * GRID_STEP);
  const denom = l - 2 * best.score + r;
  if (denom < 0) {
    const delta = Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / denom));
    best = { bpm: best.bpm * Math.pow(GRID_STEP, delta), score: best.score };
  }
  // Even subdivision: when the half period repeats as strongly as the period itself,
  // the faster pulse is the beat (a plain click at 180 BPM is not 90 with off-beats).
  const lag = (60 * fps) / best.bpm;
  if (
    best.bpm * 2 <= TEMPO_MAX_BPM &&
    at(t.acf, lag) >= MECHANICAL_PERIODICITY &&
    at(t.acf, lag / 2) >= SUBDIVISION_RATIO * at(t.acf, lag)
  ) {
    best = { bpm: best.bpm * 2, score: score(t, fps, best.bpm * 2) };
  }
  return best;
}

/** Tempo with a confidence, or null with the reason. */
export function analyseTempo(signal: Float32Array, sampleRate: number): TempoResult {
  const factor = Math.max(1, Math.round(sampleRate / TARGET_RATE));
  const x = decimate(signal, factor);
  const rate = sampleRate / factor;
  if (spectralNovelty(x, rate) < MIN_NOVELTY)
    return { tempo: null, reason: NO_TEMPO_DRONE, onsetDensity: 0 };
  const { envelope, fps } = onsetEnvelope(x, rate);
  const density = Math.round(onsetDensity(envelope, fps) * 100) / 100;
  if (signal.length < MIN_TEMPO_SECONDS * sampleRate)
    return { tempo: null, reason: NO_TEMPO_SHORT, onsetDensity: density };

  const maxLag = Math.ceil((COMB * 60 * fps) / TEMPO_MIN_BPM) + 2;
  const windowFrames = Math.round(LOCAL_SECONDS * fps);
  const step = Math.round(LOCAL_STEP_SECONDS * fps);
  const spans: [number, number][] = [];
  if (envelope.length <= windowFrames * 1.25) spans.push([0, envelope.length]);
  else
    for (let from = 0; from + windowFrames <= envelope.length; from += step)
      spans.push([from, from + windowFrames]);
  const locals: Tempogram[] = [];
  const acfSum = new Float64Array(maxLag + 1);
  const dftSum = new Float64Array(GRID.length);
  for (const [from, to] of spans) {
    const acf = autocorrelation(envelope, from, to, Math.min(maxLag, to - from - 1));
    const dft = dftOnGrid(envelope, from, to, fps);
    for (let i = 0; i < acf.length; i++) acfSum[i]! += acf[i]! / spans.length;
    for (let i = 0; i < dft.length; i++) dftSum[i]! += dft[i]! / spans.length;
    locals.push({ acf, dft: gridLookup(dft) });
  }
  const global: Tempogram = { acf: acfSum, dft: gridLookup(dftSum) };

  const best = bestTempo(global, fps);
  if (best.score <= 0) return { tempo: null, reason: NO_TEMPO_UNSTEADY, onsetDensity: density };
  const periodicity = Math.min(1, at(acfSum, (60 * fps) / best.bpm));
  let agree = 0;
  for (const t of locals) {
    const local = bestTempo(t, fps);
    if (Math.abs(local.bpm / best.bpm - 1) <= 0.04) agree++;
  }
  const confidence = agree / locals.length;
  if (periodicity < MIN_BEAT_PERIODICITY || confidence < MIN_CONFIDENCE)
    return { tempo: null, reason: NO_TEMPO_UNSTEADY, onsetDensity: density };
  return {
    tempo: {
      bpm: Math.round(best.bpm * 100) / 100,
      confidence: Math.round(confidence * 1000) / 1000,
      periodicity: Math.round(periodicity * 1000) / 1000,
    },
    reason: null,
    onsetDensity: density,
  };
}

/** Estimates the tempo of a mono signal, or null when no steady beat is found. */
export function estimateTempo(signal: Float32Array, sampleRate: number): TempoEstimate | null {
  return analyseTempo(signal, sampleRate).tempo;
}
