/**
 * Level features from the 50 ms mean-square frames of the mono mix.
 *
 * - silence: a frame is silent below SILENCE_DBFS; the file is silent when at least
 *   SILENT_FILE_RATIO of its frames are.
 * - loudness: an integrated, gated RMS level in dBFS, built like ITU-R BS.1770 but
 *   without K-weighting: 400 ms blocks every 100 ms, an absolute gate at -70 dBFS and a
 *   relative gate 10 dB under the level of the blocks that passed it. It is therefore
 *   close to, but not the same as, LUFS (no frequency weighting, mono mix). A full-scale
 *   sine reads -3.0, a full-scale square 0.0. Digital silence reads LOUDNESS_FLOOR_DBFS.
 * - energy: the mean power of the whole file (silent parts included) in dBFS, mapped
 *   linearly from ENERGY_FLOOR_DBFS → 0 to ENERGY_CEILING_DBFS → 1 and clamped: silence
 *   is 0, full-scale noise ≈ 0.96, square/sine waves 1, mastered pop (-8…-12 dBFS RMS)
 *   ≈ 0.8–0.9, quiet acoustic/ambient (-25…-35 dBFS) ≈ 0.3–0.5.
 */
import { LEVEL_FRAME_SECONDS } from "./decode";

export const SILENCE_DBFS = -60;
export const SILENT_FILE_RATIO = 0.98;
export const LOUDNESS_FLOOR_DBFS = -100;
export const ENERGY_FLOOR_DBFS = -48;
export const ENERGY_CEILING_DBFS = -3;

const ABSOLUTE_GATE_DBFS = -70;
const RELATIVE_GATE_DB = -10;
const BLOCK_SECONDS = 0.4;
const BLOCK_STEP_SECONDS = 0.1;

export interface LevelFeatures {
  energy: number;
  loudness: number;
  silent: boolean;
  silenceRatio: number;
}

export function toDb(meanSquare: number): number {
  return meanSquare > 0 ? 10 * Math.log10(meanSquare) : -Infinity;
}

function fromDb(db: number): number {
  return Math.pow(10, db / 10);
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Energy 0–1 from a power level in dBFS (see the module comment for the calibration). */
export function energyFromDb(db: number): number {
  if (!Number.isFinite(db)) return 0;
  return clamp01((db - ENERGY_FLOOR_DBFS) / (ENERGY_CEILING_DBFS - ENERGY_FLOOR_DBFS));
}

export function levelFeatures(frameMeanSquares: Float32Array): LevelFeatures {
  const n = frameMeanSquares.length;
  if (n === 0) return { energy: 0, loudness: LOUDNESS_FLOOR_DBFS, silent: true, silenceRatio: 1 };

  const silentBelow = fromDb(SILENCE_DBFS);
  let silentFrames = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const ms = frameMeanSquares[i] ?? 0;
    total += ms;
    if (ms < silentBelow) silentFrames++;
  }
  const silenceRatio = silentFrames / n;

  // 400 ms blocks, 100 ms apart, made of whole level frames.
  const perBlock = Math.max(1, Math.round(BLOCK_SECONDS / LEVEL_FRAME_SECONDS));
  const step = Math.max(1, Math.round(BLOCK_STEP_SECONDS / LEVEL_FRAME_SECONDS));
  const blocks: number[] = [];
  if (n <= perBlock) {
    blocks.push(total / n);
  } else {
    let sum = 0;
    for (let i = 0; i < perBlock; i++) sum += frameMeanSquares[i] ?? 0;
    for (let start = 0; start + perBlock <= n; start += step) {
      if (start > 0) {
        for (let k = 0; k < step; k++) {
          sum -= frameMeanSquares[start - step + k] ?? 0;
          sum += frameMeanSquares[start + perBlock - step + k] ?? 0;
        }
      }
      blocks.push(Math.max(0, sum) / perBlock);
    }
  }
  const absoluteGate = fromDb(ABSOLUTE_GATE_DBFS);
  const gated = blocks.filter((b) => b > absoluteGate);
  let loudness: number;
  if (gated.length === 0) {
    loudness = toDb(total / n);
  } else {
    const relativeGate =
      (gated.reduce((a, b) => a + b, 0) / gated.length) * fromDb(RELATIVE_GATE_DB);
    const kept = gated.filter((b) => b > relativeGate);
    loudness = toDb(kept.reduce((a, b) => a + b, 0) / kept.length);
  }
  if (!Number.isFinite(loudness) || loudness < LOUDNESS_FLOOR_DBFS) loudness = LOUDNESS_FLOOR_DBFS;

  return {
    energy: energyFromDb(toDb(total / n)),
    loudness: Math.round(loudness * 100) / 100,
    silent: silenceRatio >= SILENT_FILE_RATIO,
    silenceRatio,
  };
}
