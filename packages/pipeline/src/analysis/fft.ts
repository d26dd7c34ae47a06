/** A small in-place radix-2 FFT (complex, iterative) for the analysis helpers. */

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();
const hannCache = new Map<number, Float64Array>();

function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddleCache.get(n);
  if (!t) {
    const cos = new Float64Array(n / 2);
    const sin = new Float64Array(n / 2);
    for (let i = 0; i < n / 2; i++) {
      cos[i] = Math.cos((2 * Math.PI * i) / n);
      sin[i] = -Math.sin((2 * Math.PI * i) / n);
    }
    t = { cos, sin };
    twiddleCache.set(n, t);
  }
  return t;
}

export function hannWindow(n: number): Float64Array {
  let w = hannCache.get(n);
  if (!w) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    hannCache.set(n, w);
  }
  return w;
}

/** In-place forward FFT; `re.length` must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n <= 1) return;
  if ((n & (n - 1)) !== 0) throw new Error(`FFT size must be a power of two, got ${n}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] ?? 0;
      re[i] = re[j] ?? 0;
      re[j] = tr;
      const ti = im[i] ?? 0;
      im[i] = im[j] ?? 0;
      im[j] = ti;
    }
  }
  const { cos, sin } = twiddles(n);
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step] ?? 1;
        const wi = sin[k * step] ?? 0;
        const a = start + k;
        const b = a + half;
        const br = re[b] ?? 0;
        const bi = im[b] ?? 0;
        const xr = br * wr - bi * wi;
        const xi = br * wi + bi * wr;
        const ar = re[a] ?? 0;
        const ai = im[a] ?? 0;
        re[b] = ar - xr;
        im[b] = ai - xi;
        re[a] = ar + xr;
        im[a] = ai + xi;
      }
    }
  }
}

/**
 * Magnitude spectrum (bins 0…n/2) of `signal[offset … offset+n)` under a Hann window,
 * written into `out` (length n/2 + 1). Scratch arrays are passed in to avoid allocation.
 */
export function magnitudeSpectrum(
  signal: Float32Array,
  offset: number,
  n: number,
  out: Float64Array,
  re: Float64Array,
  im: Float64Array,
): void {
  const w = hannWindow(n);
  for (let i = 0; i < n; i++) {
    re[i] = (signal[offset + i] ?? 0) * (w[i] ?? 0);
    im[i] = 0;
  }
  fft(re, im);
  for (let k = 0; k <= n / 2; k++) {
    const r = re[k] ?? 0;
    const m = im[k] ?? 0;
    out[k] = Math.sqrt(r * r + m * m);
  }
}
