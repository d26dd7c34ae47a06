/**
 * Tempo with music-tempo (MIT; spectral-flux onsets → inter-onset-interval clustering →
 * multi-agent beat tracking, after Dixon's BeatRoot), plus two guards of our own.
 *
 * Speed: music-tempo works on plain JS arrays and costs ~O(samples); we feed it the
 * analysis window (≤ 60 s from the middle) decimated to ~7 kHz, with a ~35–70 ms FFT and
 * a 10 ms hop (its 44.1 kHz defaults are 46 ms and 10 ms). ~1.5 ms per second of audio.
 *
 * Range: beat intervals 0.3–1.0 s, i.e. 60–200 BPM; hypotheses outside the range are
 * folded by octaves into it (music-tempo does the folding). Clicks at 60 or 180 BPM are
 * reported as such, not doubled or halved.
 *
 * Octave correction: with off-beat hi-hats, music-tempo tends to lock on the eighth
 * notes (75 BPM reported as 150). Above OCTAVE_CHECK_MIN_BPM we compare how well the
 * onset envelope repeats after one beat and after two: when it repeats OCTAVE_RATIO
 * times better after two (kick…hat…kick), the pulse is the longer period and the tempo
 * is halved. Plain or accented click tracks repeat equally well after one beat and are
 * left alone. Below the threshold nothing is changed (a 120 BPM rock beat with
 * kick/snare alternation must stay 120), so a 60 BPM kick/hat loop still reads 120.
 *
 * Steadiness: music-tempo always returns *some* tempo, even for noise or a held chord
 * (it z-scores the flux, so the ripple of a steady tone looks like onsets). We report a
 * tempo only if (1) the spectrum changes at all: spectral novelty (positive magnitude
 * change between successive 93 ms frames over total magnitude) reaches MIN_NOVELTY, and
 * (2) the onset envelope repeats at the beat period: the autocorrelation of the spectral
 * flux at one or two beat lags reaches MIN_BEAT_PERIODICITY. Otherwise the tempo is null.
 */
import MusicTempo from "music-tempo";
import { magnitudeSpectrum } from "./fft";

export const TEMPO_MIN_BPM = 60;
export const TEMPO_MAX_BPM = 200;
/** Shortest signal we try to find a beat in (seconds). */
export const MIN_TEMPO_SECONDS = 3;
/** Autocorrelation of the onset envelope at the beat period needed to report a tempo. */
export const MIN_BEAT_PERIODICITY = 0.15;
/** Spectral novelty below which a signal is a steady tone/drone (no onsets at all). */
export const MIN_NOVELTY = 0.05;
/** Only tempos above this are checked for a strong/weak beat alternation (→ halved). */
export const OCTAVE_CHECK_MIN_BPM = 140;
/** Halve when the onset envelope repeats this much better at two beats than at one. */
export const OCTAVE_RATIO = 1.5;

/** Decimation target: 44.1 kHz ÷ 6. Onsets below ~3.7 kHz are plenty for beat tracking. */
const TARGET_RATE = 7_350;

export interface TempoEstimate {
  bpm: number;
  /** Autocorrelation of the onset envelope at the beat lag, 0–1. */
  periodicity: number;
  /** True when the beat tracker's tempo was halved by the alternation check. */
  halved: boolean;
}

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

function autocorrelation(x: readonly number[], lag: number): number {
  if (lag <= 0 || lag >= x.length) return 0;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] ?? 0;
    den += v * v;
    if (i + lag < x.length) num += v * (x[i + lag] ?? 0);
  }
  return den > 0 ? num / den : 0;
}

function periodicityAt(flux: readonly number[], lag: number): number {
  return Math.max(
    autocorrelation(flux, lag - 1),
    autocorrelation(flux, lag),
    autocorrelation(flux, lag + 1),
  );
}

/** Estimates the tempo of a mono signal, or null when no steady beat is found. */
export function estimateTempo(signal: Float32Array, sampleRate: number): TempoEstimate | null {
  if (signal.length < MIN_TEMPO_SECONDS * sampleRate) return null;
  const factor = Math.max(1, Math.round(sampleRate / TARGET_RATE));
  const x = decimate(signal, factor);
  const rate = sampleRate / factor;
  if (spectralNovelty(x, rate) < MIN_NOVELTY) return null;

  const hopSize = Math.max(1, Math.round(0.01 * rate));
  const timeStep = hopSize / rate;
  const bufferSize = Math.pow(2, Math.round(Math.log2(0.0464 * rate)));
  let mt: MusicTempo;
  try {
    mt = new MusicTempo(x, {
      bufferSize,
      hopSize,
      timeStep,
      // 3 % of slack at the slow end: 60 BPM measured on a 10.07 ms hop grid can come out
      // a hair over 1.000 s, and music-tempo would then fold it to 120.
      minBeatInterval: 60 / TEMPO_MAX_BPM,
      maxBeatInterval: (60 / TEMPO_MIN_BPM) * 1.03,
    });
  } catch {
    // music-tempo throws (strings) when it finds no onsets or no intervals.
    return null;
  }
  let bpm = Number(mt.tempo);
  if (!Number.isFinite(bpm) || bpm <= 0 || !(mt.beatInterval > 0)) return null;

  const lag = Math.round(mt.beatInterval / timeStep);
  const atBeat = periodicityAt(mt.spectralFlux, lag);
  const atTwoBeats = periodicityAt(mt.spectralFlux, 2 * lag);
  const periodicity = Math.max(atBeat, atTwoBeats);
  if (periodicity < MIN_BEAT_PERIODICITY) return null;

  let halved = false;
  if (
    bpm > OCTAVE_CHECK_MIN_BPM &&
    bpm / 2 >= TEMPO_MIN_BPM &&
    atTwoBeats > OCTAVE_RATIO * atBeat
  ) {
    bpm /= 2;
    halved = true;
  }
  return { bpm: Math.round(bpm * 100) / 100, periodicity: Math.min(1, periodicity), halved };
}
