/**
 * Audio features from decoded audio: levels over the whole file, tempo and tonal
 * features over the analysis window.
 *
 * Valence is an ESTIMATE, not a measurement of emotion: a fixed weighted blend of three
 * cues that correlate with perceived positiveness in the MIR literature —
 *   mode (major vs minor, Krumhansl–Kessler key-profile correlation of the chroma),
 *   brightness (spectral centroid, log scale 300 Hz → 0 … 3 kHz → 1),
 *   tempo (60 → 0 … 180 BPM → 1; 0.5 when there is no steady beat),
 * weighted 0.45 / 0.30 / 0.25. It orders "bright, fast, major" above "dark, slow, minor"
 * reliably; it is not calibrated against listener ratings. Silent files get 0.5.
 */
import type { AudioFeatures } from "./types";
import type { DecodedAudio } from "./decode";
import { levelFeatures } from "./levels";
import { analyseTempo, type TempoEstimate } from "./tempo";
import { trackGain } from "./loudness";
import { tonalFeatures, type TonalFeatures } from "./tonal";
import { timbreFeatures } from "./timbre";

export const VALENCE_WEIGHTS = { mode: 0.45, brightness: 0.3, tempo: 0.25 } as const;
/**
 * Energy = LEVEL · level + ONSETS · activity: level is the mean power of the file mapped
 * −48 dBFS → 0 … −3 dBFS → 1 (levels.ts), activity the onset density mapped 0 → 0 …
 * ONSET_DENSITY_FULL onsets/s → 1 (sixteenth notes at 120 BPM), both clamped to 0–1.
 */
export const ENERGY_WEIGHTS = { level: 0.65, onsets: 0.35 } as const;
export const ONSET_DENSITY_FULL = 8;

export function energyFrom(levelEnergy: number, onsetsPerSecond: number): number {
  return clamp01(
    ENERGY_WEIGHTS.level * clamp01(levelEnergy) +
      ENERGY_WEIGHTS.onsets * clamp01(onsetsPerSecond / ONSET_DENSITY_FULL),
  );
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function valenceFrom(modeScore: number, centroidHz: number, tempo: number | null): number {
  const mode = clamp01(0.5 + 2 * modeScore);
  const brightness = centroidHz > 0 ? clamp01(Math.log2(centroidHz / 300) / Math.log2(10)) : 0.5;
  const pace = tempo === null ? 0.5 : clamp01((tempo - 60) / 120);
  return clamp01(
    VALENCE_WEIGHTS.mode * mode +
      VALENCE_WEIGHTS.brightness * brightness +
      VALENCE_WEIGHTS.tempo * pace,
  );
}

export interface FeatureDetails {
  features: AudioFeatures;
  tempo: TempoEstimate | null;
  tonal: TonalFeatures | null;
}

export function computeFeatures(audio: DecodedAudio): FeatureDetails {
  const levels = levelFeatures(audio.frameMeanSquares);
  const lufs = Math.round(audio.loudness.integratedLufs * 100) / 100;
  const truePeakDb = Number.isFinite(audio.loudness.truePeakDb)
    ? Math.round(audio.loudness.truePeakDb * 100) / 100
    : null;
  if (levels.silent) {
    return {
      features: {
        tempo: null,
        tempoConfidence: null,
        tempoReason: "the file is silent",
        energy: round(energyFrom(levels.energy, 0), 3),
        onsetDensity: 0,
        valence: 0.5,
        loudness: lufs,
        truePeakDb,
        trackGainDb: trackGain(lufs),
        silent: true,
        silenceRatio: round(levels.silenceRatio, 4),
      },
      tempo: null,
      tonal: null,
    };
  }
  const tempoResult = analyseTempo(audio.window, audio.sampleRate);
  const tempo = tempoResult.tempo;
  const tonal = tonalFeatures(audio.window, audio.sampleRate);
  const valence = valenceFrom(tonal.modeScore, tonal.centroidHz, tempo?.bpm ?? null);
  const timbre = timbreFeatures(audio.window, audio.sampleRate);
  return {
    features: {
      tempo: tempo?.bpm ?? null,
      tempoConfidence: tempo?.confidence ?? null,
      tempoReason: tempoResult.reason,
      energy: round(energyFrom(levels.energy, tempoResult.onsetDensity), 3),
      onsetDensity: tempoResult.onsetDensity,
      valence: round(valence, 3),
      loudness: lufs,
      truePeakDb,
      trackGainDb: trackGain(lufs),
      silent: false,
      silenceRatio: round(levels.silenceRatio, 4),
      timbre,
    },
    tempo,
    tonal,
  };
}
