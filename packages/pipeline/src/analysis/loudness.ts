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

const [P0, P1] = TRUE_PEAK_PHASES as [readonly number[], readonly number[]];
const [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11] = P0 as number[] as [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
const [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11] = P1 as number[] as [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/**
 * max |y| over the four interpolated phases at the newest sample (hist[pos] = x[i],
 * hist[pos + k] = x[i − k]). Phases 3 and 2 are phases 0 and 1 reversed (BS.1770-4
 * Annex 2), so each tap product is shared; the taps are constants the compiler keeps in
 * registers.
 */
function interpolatedPeak(hist: Float64Array, pos: number): number {
  const h0 = hist[pos]!;
  const h1 = hist[pos + 1]!;
  const h2 = hist[pos + 2]!;
  const h3 = hist[pos + 3]!;
  const h4 = hist[pos + 4]!;
  const h5 = hist[pos + 5]!;
  const h6 = hist[pos + 6]!;
  const h7 = hist[pos + 7]!;
  const h8 = hist[pos + 8]!;
  const h9 = hist[pos + 9]!;
  const h10 = hist[pos + 10]!;
  const h11 = hist[pos + 11]!;
  const y0 =
    c0 * h0 +
    c1 * h1 +
    c2 * h2 +
    c3 * h3 +
    c4 * h4 +
    c5 * h5 +
    c6 * h6 +
    c7 * h7 +
    c8 * h8 +
    c9 * h9 +
    c10 * h10 +
    c11 * h11;
  const y3 =
    c11 * h0 +
    c10 * h1 +
    c9 * h2 +
    c8 * h3 +
    c7 * h4 +
    c6 * h5 +
    c5 * h6 +
    c4 * h7 +
    c3 * h8 +
    c2 * h9 +
    c1 * h10 +
    c0 * h11;
  const y1 =
    d0 * h0 +
    d1 * h1 +
    d2 * h2 +
    d3 * h3 +
    d4 * h4 +
    d5 * h5 +
    d6 * h6 +
    d7 * h7 +
    d8 * h8 +
    d9 * h9 +
    d10 * h10 +
    d11 * h11;
  const y2 =
    d11 * h0 +
    d10 * h1 +
    d9 * h2 +
    d8 * h3 +
    d7 * h4 +
    d6 * h5 +
    d5 * h6 +
    d4 * h7 +
    d3 * h8 +
    d2 * h9 +
    d1 * h10 +
    d0 * h11;
  const a0 = y0 < 0 ? -y0 : y0;
  const a1 = y1 < 0 ? -y1 : y1;
  const a2 = y2 < 0 ? -y2 : y2;
  const a3 = y3 < 0 ? -y3 : y3;
  const m01 = a0 > a1 ? a0 : a1;
  const m23 = a2 > a3 ? a2 : a3;
  return m01 > m23 ? m01 : m23;
}

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
    // Coefficients in locals: the loop below runs once per sample and channel.
    const { b0, b1, b2, a1, a2 } = this.shelf;
    const ha1 = this.highPass.a1;
    const ha2 = this.highPass.a2;
    let offset = 0;
    while (offset < n) {
      const take = Math.min(n - offset, this.subBlock - this.fill);
      const end = offset + take;
      // Stereo: both channels' filters in one loop, two independent recursions the CPU
      // overlaps (each alone waits on its own previous output).
      const stereo =
        count === 2 ? this.filterStereo(channels[0]!, channels[1]!, offset, end) : false;
      for (let c = stereo ? count : 0; c < count; c++) {
        const data = channels[c]!;
        const st = this.states[c]!;
        let x1 = st.x1;
        let x2 = st.x2;
        let y1 = st.y1;
        let y2 = st.y2;
        let u1 = st.u1;
        let u2 = st.u2;
        let v1 = st.v1;
        let v2 = st.v2;
        let sum = st.sum;
        for (let i = offset; i < end; i++) {
          const x = data[i]!;
          const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
          x2 = x1;
          x1 = x;
          y2 = y1;
          y1 = y;
          const v = y - 2 * u1 + u2 - ha1 * v1 - ha2 * v2;
          u2 = u1;
          u1 = y;
          v2 = v1;
          v1 = v;
          sum += v * v;
        }
        st.x1 = x1;
        st.x2 = x2;
        st.y1 = y1;
        st.y2 = y2;
        st.u1 = u1;
        st.u2 = u2;
        st.v1 = v1;
        st.v2 = v2;
        st.sum = sum;
        this.truePeak(st, data, offset, end);
      }
      this.fill += take;
      offset = end;
      if (this.fill === this.subBlock) this.closeSubBlock(this.subBlock);
    }
  }

  /** The K-weighting and sub-block sums of two channels at once; then their true peaks. */
  private filterStereo(left: Float32Array, right: Float32Array, from: number, to: number): true {
    const { b0, b1, b2, a1, a2 } = this.shelf;
    const ha1 = this.highPass.a1;
    const ha2 = this.highPass.a2;
    const L = this.states[0]!;
    const R = this.states[1]!;
    let lx1 = L.x1,
      lx2 = L.x2,
      ly1 = L.y1,
      ly2 = L.y2,
      lu1 = L.u1,
      lu2 = L.u2,
      lv1 = L.v1,
      lv2 = L.v2,
      lsum = L.sum;
    let rx1 = R.x1,
      rx2 = R.x2,
      ry1 = R.y1,
      ry2 = R.y2,
      ru1 = R.u1,
      ru2 = R.u2,
      rv1 = R.v1,
      rv2 = R.v2,
      rsum = R.sum;
    for (let i = from; i < to; i++) {
      const lx = left[i]!;
      const rx = right[i]!;
      const ly = b0 * lx + b1 * lx1 + b2 * lx2 - a1 * ly1 - a2 * ly2;
      const ry = b0 * rx + b1 * rx1 + b2 * rx2 - a1 * ry1 - a2 * ry2;
      lx2 = lx1;
      lx1 = lx;
      rx2 = rx1;
      rx1 = rx;
      ly2 = ly1;
      ly1 = ly;
      ry2 = ry1;
      ry1 = ry;
      const lv = ly - 2 * lu1 + lu2 - ha1 * lv1 - ha2 * lv2;
      const rv = ry - 2 * ru1 + ru2 - ha1 * rv1 - ha2 * rv2;
      lu2 = lu1;
      lu1 = ly;
      ru2 = ru1;
      ru1 = ry;
      lv2 = lv1;
      lv1 = lv;
      rv2 = rv1;
      rv1 = rv;
      lsum += lv * lv;
      rsum += rv * rv;
    }
    Object.assign(L, {
      x1: lx1,
      x2: lx2,
      y1: ly1,
      y2: ly2,
      u1: lu1,
      u2: lu2,
      v1: lv1,
      v2: lv2,
      sum: lsum,
    });
    Object.assign(R, {
      x1: rx1,
      x2: rx2,
      y1: ry1,
      y2: ry2,
      u1: ru1,
      u2: ru2,
      v1: rv1,
      v2: rv2,
      sum: rsum,
    });
    this.truePeak(L, left, from, to);
    this.truePeak(R, right, from, to);
    return true;
  }

  private truePeak(st: ChannelState, data: Float32Array, from: number, to: number): void {
    let peak = this.peak;
    const hist = st.history;
    let pos = st.pos;
    let hot = st.hot;
    const oversample = this.oversample;
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
      if (oversample && hot > 0) {
        hot--;
        const a = interpolatedPeak(hist, pos);
        if (a > peak) peak = a;
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
