/**
 * Loudness per ITU-R BS.1770-4 / EBU R128, streaming (fed decoded chunks, all channels):
 *
 * - K-weighting: the two BS.1770 biquads (high-shelf "pre-filter" + RLB high-pass),
 *   with coefficients derived for the file's own sample rate (the formulas libebur128
 *   uses; at 48 kHz they reproduce the coefficients printed in BS.1770).
 * - Mean square per channel over 100 ms sub-blocks; gating blocks are 400 ms long and
 *   start every 100 ms (75 % overlap). Block loudness = −0.691 + 10·log10 Σ G_c · z_c with
 *   channel weights 1 (L, R, C), 0 (LFE, 4th of 6), 1.41 (surrounds).
 * - Integrated loudness: blocks above the absolute gate (−70 LUFS), then above the
 *   relative gate (10 LU under the loudness of the absolutely gated blocks).
 * - True peak: 4× oversampling with the 48-tap polyphase interpolator of BS.1770-4
 *   Annex 2, max |x| over all channels, in dBTP (sample peak at ≥ 96 kHz).
 * - Track gain (ReplayGain 2.0): REFERENCE_LUFS − integrated loudness, in dB.
 */

export const REFERENCE_LUFS = -18;
export const ABSOLUTE_GATE_LUFS = -70;
export const RELATIVE_GATE_LU = -10;
/** Reported for digital silence (nothing passes the absolute gate). */
export const SILENCE_LUFS = -100;

export interface LoudnessResult {
  /** Integrated loudness, LUFS (SILENCE_LUFS when nothing passes the gates). */
  integratedLufs: number;
  /** True peak in dBTP (−Infinity for digital silence). */
  truePeakDb: number;
}

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** The two K-weighting stages for `rate` Hz. */
export function kWeighting(rate: number): [Biquad, Biquad] {
  let f0 = 1681.974450955533;
  const G = 3.999843853973347;
  let Q = 0.7071752369554196;
  let K = Math.tan((Math.PI * f0) / rate);
  const Vh = Math.pow(10, G / 20);
  const Vb = Math.pow(Vh, 0.4996667741545416);
  let a0 = 1 + K / Q + K * K;
  const shelf: Biquad = {
    b0: (Vh + (Vb * K) / Q + K * K) / a0,
    b1: (2 * (K * K - Vh)) / a0,
    b2: (Vh - (Vb * K) / Q + K * K) / a0,
    a1: (2 * (K * K - 1)) / a0,
    a2: (1 - K / Q + K * K) / a0,
  };
  f0 = 38.13547087602444;
  Q = 0.5003270373238773;
  K = Math.tan((Math.PI * f0) / rate);
  a0 = 1 + K / Q + K * K;
  const highPass: Biquad = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (K * K - 1)) / a0,
    a2: (1 - K / Q + K * K) / a0,
  };
  return [shelf, highPass];
}

/** BS.1770-4 Annex 2: 4 phases × 12 taps. */
const TRUE_PEAK_PHASES: readonly (readonly number[])[] = [
  [
    0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875,
    0.1373291015625, 0.97216796875, -0.102294921875, 0.047607421875, -0.026611328125,
    0.014892578125, -0.00830078125,
  ],
  [
    -0.0291748046875, 0.029296875, -0.0517578125, 0.089111328125, -0.16650390625, 0.465087890625,
    0.77978515625, -0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375,
  ],
  [
    -0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625, -0.2003173828125, 0.77978515625,
    0.465087890625, -0.16650390625, 0.089111328125, -0.0517578125, 0.029296875, -0.0291748046875,
  ],
  [
    -0.00830078125, 0.014892578125, -0.026611328125, 0.047607421875, -0.102294921875, 0.97216796875,
    0.1373291015625, -0.0594482421875, 0.033203125, -0.0196533203125, 0.010986328125,
    0.001708984375,
  ],
];
const TAPS = 12;

class ChannelState {
  // Biquad states (direct form I).
  x1 = 0;
  x2 = 0;
  y1 = 0;
  y2 = 0;
  u1 = 0;
  u2 = 0;
  v1 = 0;
  v2 = 0;
  /** Sum of K-weighted squares in the current sub-block. */
  sum = 0;
  /** Last TAPS input samples for the true-peak interpolator (ring buffer). */
  readonly history = new Float64Array(TAPS * 2);
  pos = 0;
  /** Samples left during which a loud sample is still inside the interpolator's window. */
  hot = 0;
}

export class LoudnessMeter {
  private readonly shelf: Biquad;
  private readonly highPass: Biquad;
  private readonly subBlock: number;
  private fill = 0;
  private states: ChannelState[] = [];
  /** Weighted mean-square power Σ G_c z_c per 100 ms sub-block. */
  private readonly subBlocks: number[] = [];
  private peak = 0;
  private readonly oversample: boolean;

  constructor(readonly sampleRate: number) {
    [this.shelf, this.highPass] = kWeighting(sampleRate);
    this.subBlock = Math.max(1, Math.round(sampleRate * 0.1));
    this.oversample = sampleRate < 96_000;
  }

  private weight(channel: number, count: number): number {
    if (count === 6) return channel === 3 ? 0 : channel >= 4 ? 1.41 : 1;
    if (count === 5) return channel >= 3 ? 1.41 : 1;
    return 1;
  }

  push(channels: readonly Float32Array[]): void {
    const count = channels.length;
    const n = channels[0]?.length ?? 0;
    if (n === 0) return;
    while (this.states.length < count) this.states.push(new ChannelState());
    const s = this.shelf;
    const h = this.highPass;
    let offset = 0;
    while (offset < n) {
      const take = Math.min(n - offset, this.subBlock - this.fill);
      for (let c = 0; c < count; c++) {
        const data = channels[c]!;
        const st = this.states[c]!;
        let { x1, x2, y1, y2, u1, u2, v1, v2, sum } = st;
        for (let i = offset; i < offset + take; i++) {
          const x = data[i]!;
          const y = s.b0 * x + s.b1 * x1 + s.b2 * x2 - s.a1 * y1 - s.a2 * y2;
          x2 = x1;
          x1 = x;
          y2 = y1;
          y1 = y;
          const v = y - 2 * u1 + u2 - h.a1 * v1 - h.a2 * v2;
          u2 = u1;
          u1 = y;
          v2 = v1;
          v1 = v;
          sum += v * v;
        }
        Object.assign(st, { x1, x2, y1, y2, u1, u2, v1, v2, sum });
        this.truePeak(st, data, offset, offset + take);
      }
      this.fill += take;
      offset += take;
      if (this.fill === this.subBlock) this.closeSubBlock(this.subBlock);
    }
  }

  private truePeak(st: ChannelState, data: Float32Array, from: number, to: number): void {
    let peak = this.peak;
    const hist = st.history;
    let pos = st.pos;
    let hot = st.hot;
    for (let i = from; i < to; i++) {
      const x = data[i]!;
      const ax = x < 0 ? -x : x;
      if (ax > peak) peak = ax;
      // Mirror-written ring buffer: hist[pos..pos+TAPS) always holds the last TAPS samples.
      pos = pos === 0 ? TAPS - 1 : pos - 1;
      hist[pos] = x;
      hist[pos + TAPS] = x;
      // An interpolated value is at most Σ|taps| (< 2.1) × the largest sample in the
      // window, so it can only exceed the peak while a loud sample is in the window.
      if (ax * 2.1 > peak) hot = TAPS;
      if (this.oversample && hot > 0) {
        hot--;
        for (let p = 0; p < 4; p++) {
          const coef = TRUE_PEAK_PHASES[p]!;
          let acc = 0;
          for (let k = 0; k < TAPS; k++) acc += coef[k]! * hist[pos + k]!;
          const a = acc < 0 ? -acc : acc;
          if (a > peak) peak = a;
        }
      }
    }
    st.pos = pos;
    st.hot = hot;
    this.peak = peak;
  }

  private closeSubBlock(length: number): void {
    let power = 0;
    const count = this.states.length;
    for (let c = 0; c < count; c++) {
      const st = this.states[c]!;
      power += this.weight(c, count) * (st.sum / length);
      st.sum = 0;
    }
    this.subBlocks.push(power);
    this.fill = 0;
  }

  finish(): LoudnessResult {
    // A trailing partial sub-block is dropped (as a gating block needs 400 ms anyway).
    const blocks: number[] = [];
    for (let j = 0; j + 4 <= this.subBlocks.length; j++) {
      blocks.push(
        (this.subBlocks[j]! +
          this.subBlocks[j + 1]! +
          this.subBlocks[j + 2]! +
          this.subBlocks[j + 3]!) /
          4,
      );
    }
    const lufs = (power: number) => -0.691 + 10 * Math.log10(power);
    const absolute = blocks.filter((b) => b > 0 && lufs(b) > ABSOLUTE_GATE_LUFS);
    let integrated = SILENCE_LUFS;
    if (absolute.length > 0) {
      const relativeGate =
        lufs(absolute.reduce((a, b) => a + b, 0) / absolute.length) + RELATIVE_GATE_LU;
      const kept = absolute.filter((b) => lufs(b) > relativeGate);
      if (kept.length > 0) integrated = lufs(kept.reduce((a, b) => a + b, 0) / kept.length);
    }
    return {
      integratedLufs: Math.max(SILENCE_LUFS, integrated),
      truePeakDb: this.peak > 0 ? 20 * Math.log10(this.peak) : -Infinity,
    };
  }
}

/** Loudness of whole in-memory channels (tests, tools). */
export function measureLoudness(
  channels: readonly Float32Array[],
  sampleRate: number,
): LoudnessResult {
  const meter = new LoudnessMeter(sampleRate);
  meter.push(channels);
  return meter.finish();
}

/** ReplayGain 2.0 track gain: dB to apply to reach REFERENCE_LUFS. */
export function trackGain(integratedLufs: number): number | null {
  if (!(integratedLufs > SILENCE_LUFS)) return null;
  return Math.round((REFERENCE_LUFS - integratedLufs) * 100) / 100;
}
