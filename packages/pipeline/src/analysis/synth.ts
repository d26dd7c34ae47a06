/**
 * Signal synthesis in pure TS for tests and the bench: click tracks at a known tempo,
 * tones, chords, noise and a simple "music-like" loop. Deterministic (seeded noise).
 */

/** A small deterministic PRNG (mulberry32), so synthesised noise is the same every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ClickTrackOptions {
  bpm: number;
  seconds: number;
  sampleRate?: number;
  /** Peak amplitude of a click, 0–1. */
  amplitude?: number;
  /** Accent the first beat of each bar of four (louder, lower click). */
  accents?: boolean;
  /** Add a quiet sustained pad under the clicks (makes onset detection less trivial). */
  pad?: boolean;
}

/** A metronome: a short decaying 1 kHz (2 kHz accented) burst on every beat. */
export function clickTrack(options: ClickTrackOptions): Float32Array {
  const sampleRate = options.sampleRate ?? 44_100;
  const amplitude = options.amplitude ?? 0.8;
  const out = new Float32Array(Math.round(options.seconds * sampleRate));
  const period = (60 / options.bpm) * sampleRate;
  const clickLength = Math.round(0.03 * sampleRate);
  const decay = 0.005 * sampleRate;
  for (let beat = 0; ; beat++) {
    const start = Math.round(beat * period);
    if (start >= out.length) break;
    const accent = options.accents === true && beat % 4 === 0;
    const freq = accent ? 2000 : 1000;
    const gain = accent ? amplitude : amplitude * 0.7;
    for (let i = 0; i < clickLength && start + i < out.length; i++) {
      out[start + i] =
        (out[start + i] ?? 0) +
        gain * Math.sin((2 * Math.PI * freq * i) / sampleRate) * Math.exp(-i / decay);
    }
  }
  if (options.pad === true) {
    for (let i = 0; i < out.length; i++) {
      const t = i / sampleRate;
      out[i] =
        (out[i] ?? 0) +
        0.05 * (Math.sin(2 * Math.PI * 220 * t) + Math.sin(2 * Math.PI * 277.18 * t));
    }
  }
  return out;
}

/** A sum of sines (equal amplitude) with the given peak amplitude. */
export function chord(
  frequencies: readonly number[],
  seconds: number,
  sampleRate = 44_100,
  amplitude = 0.5,
): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  const gain = amplitude / Math.max(1, frequencies.length);
  for (let i = 0; i < out.length; i++) {
    const t = i / sampleRate;
    let v = 0;
    for (const f of frequencies) v += Math.sin(2 * Math.PI * f * t);
    out[i] = gain * v;
  }
  return out;
}

/** Uniform white noise in [-amplitude, amplitude]. */
export function whiteNoise(
  seconds: number,
  sampleRate = 44_100,
  amplitude = 1,
  seed = 1,
): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * (random() * 2 - 1);
  return out;
}

/** A full-scale square wave (RMS 1.0 = 0 dBFS). */
export function squareWave(
  frequency: number,
  seconds: number,
  sampleRate = 44_100,
  amplitude = 1,
): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.sin((2 * Math.PI * frequency * i) / sampleRate) >= 0 ? amplitude : -amplitude;
  }
  return out;
}

// prettier-ignore
const NOTE_HZ: Record<string, number> = {
  C3: 130.81, D3: 146.83, E3: 164.81, F3: 174.61, G3: 196.0, A3: 220.0, B3: 246.94,
  C4: 261.63, Eb4: 311.13, D4: 293.66, E4: 329.63, F4: 349.23, G4: 392.0, Ab4: 415.3,
  A4: 440.0, Bb4: 466.16, B4: 493.88, C5: 523.25, E5: 659.25, G5: 783.99,
};

export interface MusicLikeOptions {
  bpm: number;
  seconds: number;
  sampleRate?: number;
  /** "major": bright major arpeggios; "minor": darker minor arpeggios. */
  mode?: "major" | "minor";
  /** Overall gain applied at the end (1 = as designed, peaks around -3 dBFS). */
  gain?: number;
  seed?: number;
  /** Stereo output (decorrelated hats) instead of mono. */
  stereo?: boolean;
}

/**
 * A loop with a kick on every beat, a noise hi-hat on the off-beats and plucked chord
 * tones (major: C–F–G–C, minor: Am–Dm–E–Am, both with overtones) changing every bar.
 */
export function musicLike(options: MusicLikeOptions): Float32Array[] {
  const sampleRate = options.sampleRate ?? 44_100;
  const n = Math.round(options.seconds * sampleRate);
  const left = new Float32Array(n);
  const right = options.stereo === true ? new Float32Array(n) : null;
  const random = seededRandom(options.seed ?? 7);
  const beat = (60 / options.bpm) * sampleRate;
  const progressions =
    options.mode === "minor"
      ? [
          ["A3", "C4", "E4"],
          ["D4", "F4", "A4"],
          ["E4", "Ab4", "B4"],
          ["A3", "C4", "E4"],
        ]
      : [
          ["C4", "E4", "G4"],
          ["F4", "A4", "C5"],
          ["G4", "B4", "D4"],
          ["C4", "E4", "G4"],
        ];
  const brightness = options.mode === "minor" ? 0.15 : 0.6;
  const add = (i: number, l: number, r: number) => {
    if (i < 0 || i >= n) return;
    left[i] = (left[i] ?? 0) + l;
    if (right) right[i] = (right[i] ?? 0) + r;
  };
  for (let b = 0; ; b++) {
    const start = Math.round(b * beat);
    if (start >= n) break;
    // Kick: a sine sweeping 150 → 45 Hz with a fast decay.
    const kickLength = Math.min(Math.round(0.25 * sampleRate), Math.round(beat));
    let phase = 0;
    for (let i = 0; i < kickLength; i++) {
      const t = i / sampleRate;
      phase += (2 * Math.PI * (45 + 105 * Math.exp(-t * 30))) / sampleRate;
      const v = 0.55 * Math.sin(phase) * Math.exp(-t * 12);
      add(start + i, v, v);
    }
    // Hi-hat on the off-beat.
    const hat = Math.round(start + beat / 2);
    for (let i = 0; i < Math.round(0.04 * sampleRate); i++) {
      const env = 0.08 * Math.exp(-i / (0.008 * sampleRate));
      add(hat + i, env * (random() * 2 - 1), env * (random() * 2 - 1));
    }
    // Chord tones, one bar (4 beats) per chord, re-plucked every beat.
    const bar = progressions[Math.floor(b / 4) % progressions.length] ?? [];
    const toneLength = Math.round(beat);
    for (const note of bar) {
      const f = NOTE_HZ[note] ?? 440;
      for (let i = 0; i < toneLength; i++) {
        const t = i / sampleRate;
        const env = 0.09 * Math.exp(-t * 3);
        const w = 2 * Math.PI * f * t;
        const v =
          env *
          (Math.sin(w) +
            brightness * Math.sin(2 * w) +
            brightness * 0.7 * Math.sin(3 * w) +
            brightness * 0.5 * Math.sin(5 * w));
        add(start + i, v, v);
      }
    }
  }
  const gain = options.gain ?? 1;
  let peak = 0;
  for (let i = 0; i < n; i++)
    peak = Math.max(peak, Math.abs(left[i] ?? 0), Math.abs(right?.[i] ?? 0));
  const scale = peak > 0 ? (0.7 / peak) * gain : 0;
  for (let i = 0; i < n; i++) {
    left[i] = (left[i] ?? 0) * scale;
    if (right) right[i] = (right[i] ?? 0) * scale;
  }
  return right ? [left, right] : [left];
}

export interface DrumLoopOptions {
  bpm: number;
  seconds: number;
  sampleRate?: number;
  /** Seed for the noise of snare and hi-hat. */
  seed?: number;
}

/**
 * A rock/pop drum loop: kick on beats 1 and 3, snare on 2 and 4, closed hi-hat on every
 * eighth note (quieter), plus a quiet bass note on each beat. Mono.
 */
export function drumLoop(options: DrumLoopOptions): Float32Array {
  const rate = options.sampleRate ?? 44_100;
  const out = new Float32Array(Math.round(options.seconds * rate));
  const random = seededRandom(options.seed ?? 7);
  const beat = (60 / options.bpm) * rate;
  const add = (start: number, length: number, fn: (i: number) => number) => {
    for (let i = 0; i < length && start + i < out.length; i++)
      out[start + i] = out[start + i]! + fn(i);
  };
  for (let n = 0; ; n++) {
    const t = Math.round(n * (beat / 2));
    if (t >= out.length) break;
    const onBeat = n % 2 === 0;
    const beatIndex = Math.floor(n / 2) % 4;
    // Hi-hat: 30 ms of decaying noise, every eighth note.
    add(
      t,
      Math.round(0.03 * rate),
      (i) => 0.12 * (random() * 2 - 1) * Math.exp(-i / (0.008 * rate)),
    );
    if (!onBeat) continue;
    if (beatIndex === 0 || beatIndex === 2) {
      // Kick: a 150 → 50 Hz sine sweep, 150 ms.
      let phase = 0;
      add(t, Math.round(0.15 * rate), (i) => {
        const f = 50 + 100 * Math.exp(-i / (0.03 * rate));
        phase += (2 * Math.PI * f) / rate;
        return 0.7 * Math.sin(phase) * Math.exp(-i / (0.05 * rate));
      });
    } else {
      // Snare: noise plus a 200 Hz body, 120 ms.
      add(
        t,
        Math.round(0.12 * rate),
        (i) =>
          (0.35 * (random() * 2 - 1) + 0.2 * Math.sin((2 * Math.PI * 200 * i) / rate)) *
          Math.exp(-i / (0.04 * rate)),
      );
    }
  }
  return out;
}
