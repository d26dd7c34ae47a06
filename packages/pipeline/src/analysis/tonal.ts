/**
 * Tonal features for the valence estimate, with Meyda (MIT): chroma (12 pitch classes,
 * librosa-style filter bank) and spectral centroid on ~93 ms frames sampled evenly across
 * the analysis window (3 per second, 12–48 frames).
 *
 * Meyda keeps its configuration in module-level fields (bufferSize, sampleRate) and caches
 * its chroma filter bank without checking that the sample rate or frame size still match;
 * we set both and swap in the banks built for that configuration (kept per sample rate
 * and frame size, since building them costs more than analysing a short file).
 * Extraction is synchronous, so concurrent analyses in one process cannot interleave
 * between set-up and use.
 */
import Meyda from "meyda";

/** Krumhansl–Kessler key profiles (C major / C minor), index 0 = C. */
const MAJOR_PROFILE = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR_PROFILE = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];
export const PITCH_CLASSES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

/** Frames analysed per window at most (evenly spaced), and per second of audio. */
const MAX_FRAMES = 48;
const FRAMES_PER_SECOND = 3;
const MIN_FRAMES = 12;
/** Frames quieter than this RMS (-50 dBFS) are skipped. */
const MIN_FRAME_RMS = 0.00316;

export interface TonalFeatures {
  /** Mean chroma (each frame normalised to max 1), index 0 = C. */
  chroma: number[];
  /** Best-matching key, e.g. "A minor", or null when the signal has no tonal content. */
  key: string | null;
  /** Best major-key correlation minus best minor-key correlation, about -1…1. */
  modeScore: number;
  /** Energy-weighted mean spectral centroid in Hz. */
  centroidHz: number;
  /** Frames that were loud enough to analyse. */
  frames: number;
}

interface MeydaInternals {
  bufferSize: number;
  sampleRate: number;
  chromaFilterBank?: unknown;
  barkScale?: unknown;
  melFilterBank?: unknown;
}

interface MeydaBanks {
  chromaFilterBank?: unknown;
  barkScale?: unknown;
  melFilterBank?: unknown;
}

/** Meyda's filter banks per "sampleRate/bufferSize": building one costs tens of ms. */
const banks = new Map<string, MeydaBanks>();
let configuredKey: string | null = null;

function configureMeyda(sampleRate: number, bufferSize: number): void {
  const meyda = Meyda as unknown as MeydaInternals;
  const key = `${sampleRate}/${bufferSize}`;
  if (configuredKey !== key) {
    if (configuredKey !== null) {
      banks.set(configuredKey, {
        chromaFilterBank: meyda.chromaFilterBank,
        barkScale: meyda.barkScale,
        melFilterBank: meyda.melFilterBank,
      });
    }
    // Unknown configuration: undefined makes Meyda build the banks on the next extract.
    const cached = banks.get(key) ?? {};
    meyda.chromaFilterBank = cached.chromaFilterBank;
    meyda.barkScale = cached.barkScale;
    meyda.melFilterBank = cached.melFilterBank;
    configuredKey = key;
  }
  meyda.bufferSize = bufferSize;
  meyda.sampleRate = sampleRate;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] ?? 0;
    mb += b[i] ?? 0;
  }
  ma /= n;
  mb /= n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] ?? 0) - ma;
    const y = (b[i] ?? 0) - mb;
    num += x * y;
    da += x * x;
    db += y * y;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0;
}

/** Correlates a chroma vector with the 24 major/minor key profiles. */
export function keyFromChroma(chroma: readonly number[]): {
  key: string | null;
  modeScore: number;
} {
  const { key, modeScore } = keyCorrelations(chroma);
  return { key, modeScore };
}

/** Key clarity: the best correlation of a chroma vector with the 24 key profiles (−1…1). */
export function keyStrength(chroma: readonly number[]): number {
  return keyCorrelations(chroma).best;
}

function keyCorrelations(chroma: readonly number[]): {
  key: string | null;
  modeScore: number;
  best: number;
} {
  let bestMajor = -1;
  let bestMinor = -1;
  let majorRoot = 0;
  let minorRoot = 0;
  for (let root = 0; root < 12; root++) {
    const rotated = (profile: readonly number[]) =>
      profile.map((_, i) => profile[(i - root + 12) % 12] ?? 0);
    const major = pearson(chroma, rotated(MAJOR_PROFILE));
    const minor = pearson(chroma, rotated(MINOR_PROFILE));
    if (major > bestMajor) {
      bestMajor = major;
      majorRoot = root;
    }
    if (minor > bestMinor) {
      bestMinor = minor;
      minorRoot = root;
    }
  }
  const best = Math.max(bestMajor, bestMinor);
  if (best <= 0) return { key: null, modeScore: 0, best: Math.max(0, best) };
  const key =
    bestMajor >= bestMinor
      ? `${PITCH_CLASSES[majorRoot] ?? "?"} major`
      : `${PITCH_CLASSES[minorRoot] ?? "?"} minor`;
  return { key, modeScore: bestMajor - bestMinor, best };
}

export function tonalFeatures(window: Float32Array, sampleRate: number): TonalFeatures {
  // Above 32 kHz, pairs of samples are averaged (44.1 → 22.05 kHz): the same ~93 ms
  // frames and 10.8 Hz resolution at half the FFT size. Brightness is then measured up
  // to 11–12 kHz, which is where it matters.
  const factor = sampleRate > 32_000 ? 2 : 1;
  const rate = sampleRate / factor;
  const bufferSize = Math.pow(2, Math.round(Math.log2(0.093 * rate)));
  const span = bufferSize * factor;
  const empty: TonalFeatures = {
    chroma: new Array<number>(12).fill(0),
    key: null,
    modeScore: 0,
    centroidHz: 0,
    frames: 0,
  };
  if (window.length < span) return empty;
  configureMeyda(rate, bufferSize);

  const available = Math.floor(window.length / span);
  const seconds = window.length / sampleRate;
  const count = Math.min(
    MAX_FRAMES,
    available,
    Math.max(MIN_FRAMES, Math.ceil(seconds * FRAMES_PER_SECOND)),
  );
  const stride = (window.length - span) / Math.max(1, count - 1);
  const frame = new Float32Array(bufferSize);
  const chroma = new Array<number>(12).fill(0);
  let frames = 0;
  let centroidSum = 0;
  let weightSum = 0;
  for (let f = 0; f < count; f++) {
    const start = Math.round(f * stride);
    let ms = 0;
    for (let i = 0; i < bufferSize; i++) {
      let v = 0;
      for (let k = 0; k < factor; k++) v += window[start + i * factor + k] ?? 0;
      v /= factor;
      frame[i] = v;
      ms += v * v;
    }
    const rms = Math.sqrt(ms / bufferSize);
    if (rms < MIN_FRAME_RMS) continue;
    const features = Meyda.extract(["chroma", "spectralCentroid"], frame);
    const c = features?.chroma;
    const centroidBins = features?.spectralCentroid;
    if (!c || c.length !== 12 || typeof centroidBins !== "number" || !Number.isFinite(centroidBins))
      continue;
    for (let i = 0; i < 12; i++) chroma[i] = (chroma[i] ?? 0) + (c[i] ?? 0);
    // Meyda's centroid is in FFT bins.
    centroidSum += rms * ((centroidBins * rate) / bufferSize);
    weightSum += rms;
    frames++;
  }
  if (frames === 0) return empty;
  const mean = chroma.map((v) => v / frames);
  const { key, modeScore } = keyFromChroma(mean);
  return { chroma: mean, key, modeScore, centroidHz: centroidSum / weightSum, frames };
}
