/**
 * Streaming decode to mono statistics: the decoder is fed the file in chunks and every
 * chunk is folded into (a) 50 ms level frames over the whole file, (b) the BS.1770 meter
 * (all channels, the file's own rate) and (c) a mono copy of a representative window (up
 * to WINDOW_SECONDS from the middle), so memory stays bounded (~60 s of mono PCM)
 * whatever the length of the track. One decode serves every feature.
 *
 * Decoders: a Vorbis or FLAC stream is decoded by an `ffmpeg` child process when one
 * is on the PATH — native code, about twice as fast as the WASM decoders, and it runs on
 * another core while this thread measures the chunks it has already sent (32-bit float WAV
 * on a pipe, the file's own rate and channels, so the loudness is measured on the original
 * signal). Without ffmpeg, and for MP3, AAC, Opus and PCM (see FFMPEG_DECODERS), the WASM
 * decoders of audio-decode run in this thread. When ffmpeg fails or finds no audio the
 * WASM decoder runs instead, so a damaged file is refused with the same reason either way.
 */
import decode from "audio-decode";
import { spawn, spawnSync } from "node:child_process";
import { LoudnessMeter, type LoudnessResult } from "./loudness";

/** audio-decode format names we use (a subset of its registry). */
export type DecoderName = "mp3" | "aac" | "m4a" | "flac" | "oga" | "opus" | "wav" | "aiff";

/** Level frames are this long (seconds): silence ratio, energy and loudness use them. */
export const LEVEL_FRAME_SECONDS = 0.05;
/** The tempo/tonal window: up to this many seconds from the middle of the track. */
export const WINDOW_SECONDS = 60;

const CHUNK_BYTES = 512 * 1024;

export interface DecodedAudio {
  sampleRate: number;
  /** Highest channel count the decoder produced (mono-upmixed MP3/AAC collapse to 1). */
  channels: number;
  /** Decoded samples per channel. */
  samples: number;
  /** Mean square of the mono mix per LEVEL_FRAME_SECONDS frame, over the whole file. */
  frameMeanSquares: Float32Array;
  /** Samples per level frame. */
  frameSize: number;
  /** Mono mix of the analysis window (≤ WINDOW_SECONDS, from the middle when the length was known). */
  window: Float32Array;
  /** BS.1770 integrated loudness and true peak over all channels of the whole file. */
  loudness: LoudnessResult;
  /** Which decoder produced the audio. */
  decodedBy?: "ffmpeg" | "wasm";
}

interface AudioChunk {
  channelData: Float32Array[];
  sampleRate: number;
}

/** Folds decoded chunks into level frames and the analysis window. */
class MonoAccumulator {
  sampleRate = 0;
  channels = 0;
  samples = 0;
  private frameSize = 0;
  private frameSum = 0;
  private frameFill = 0;
  private readonly frames: number[] = [];
  private windowLength = 0;
  private planStart = -1;
  private planEnd = -1;
  private readonly planned: Float32Array[] = [];
  private plannedLength = 0;
  private readonly tail: Float32Array[] = [];
  private tailLength = 0;
  private meter: LoudnessMeter | null = null;

  constructor(private readonly expectedSeconds: number | null) {}

  push(chunk: AudioChunk): void {
    const channels = chunk.channelData;
    const first = channels[0];
    if (!first || first.length === 0 || !(chunk.sampleRate > 0)) return;
    if (this.sampleRate === 0) this.start(chunk.sampleRate);
    else if (chunk.sampleRate !== this.sampleRate) {
      throw new Error(
        `sample rate changed mid-stream (${this.sampleRate} → ${chunk.sampleRate} Hz)`,
      );
    }
    this.channels = Math.max(this.channels, channels.length);
    this.meter?.push(channels);
    const n = first.length;
    // Copy even for mono: decoders may hand out views of memory they reuse.
    const mono = new Float32Array(n);
    const second = channels[1];
    if (channels.length === 1) {
      mono.set(first);
    } else if (channels.length === 2 && second) {
      for (let i = 0; i < n; i++) mono[i] = (first[i]! + second[i]!) * 0.5;
    } else {
      const scale = 1 / channels.length;
      for (const data of channels) {
        for (let i = 0; i < n; i++) mono[i] = mono[i]! + data[i]! * scale;
      }
    }
    this.levels(mono);
    this.capture(mono);
    this.samples += n;
  }

  private start(sampleRate: number): void {
    this.sampleRate = sampleRate;
    this.meter = new LoudnessMeter(sampleRate);
    this.frameSize = Math.max(1, Math.round(sampleRate * LEVEL_FRAME_SECONDS));
    this.windowLength = Math.round(WINDOW_SECONDS * sampleRate);
    if (this.expectedSeconds !== null && this.expectedSeconds > 0) {
      const expected = Math.round(this.expectedSeconds * sampleRate);
      this.planStart = Math.max(0, Math.floor((expected - this.windowLength) / 2));
      this.planEnd = this.planStart + this.windowLength;
    }
  }

  private levels(mono: Float32Array): void {
    let sum = this.frameSum;
    let fill = this.frameFill;
    const size = this.frameSize;
    for (let i = 0; i < mono.length; i++) {
      const v = mono[i]!;
      sum += v * v;
      if (++fill === size) {
        this.frames.push(sum / size);
        sum = 0;
        fill = 0;
      }
    }
    this.frameSum = sum;
    this.frameFill = fill;
  }

  private capture(mono: Float32Array): void {
    const from = this.samples;
    const to = from + mono.length;
    if (this.planStart >= 0 && to > this.planStart && from < this.planEnd) {
      const a = Math.max(this.planStart, from) - from;
      const b = Math.min(this.planEnd, to) - from;
      this.planned.push(mono.subarray(a, b));
      this.plannedLength += b - a;
    }
    // A tail of at least one window, used when the planned window came out short
    // (length unknown, or a truncated file that ended before the planned window).
    this.tail.push(mono);
    this.tailLength += mono.length;
    while (
      this.tail.length > 1 &&
      this.tailLength - (this.tail[0]?.length ?? 0) >= this.windowLength
    ) {
      this.tailLength -= this.tail.shift()?.length ?? 0;
    }
  }

  finish(): DecodedAudio {
    // A last partial frame counts when it holds at least half a frame.
    if (this.frameFill >= this.frameSize / 2) this.frames.push(this.frameSum / this.frameFill);
    const wanted = Math.min(this.windowLength, this.samples);
    let window: Float32Array;
    if (this.plannedLength >= 0.9 * wanted && this.plannedLength > 0) {
      window = concat(this.planned, this.plannedLength);
    } else {
      const all = concat(this.tail, this.tailLength);
      window = all.subarray(Math.max(0, all.length - wanted));
    }
    return {
      sampleRate: this.sampleRate,
      channels: this.channels,
      samples: this.samples,
      frameMeanSquares: Float32Array.from(this.frames),
      frameSize: this.frameSize,
      window,
      loudness: this.meter?.finish() ?? { integratedLufs: -100, truePeakDb: -Infinity },
    };
  }
}

function concat(parts: readonly Float32Array[], length: number): Float32Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Float32Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Feeds `bytes` to the named decoder in chunks; calls `onChunk` for every non-empty result. */
export async function decodeChunks(
  bytes: Uint8Array,
  decoder: DecoderName,
  onChunk: (chunk: AudioChunk) => void,
  limitBytes = bytes.length,
): Promise<void> {
  const dec = await decode[decoder]();
  let flushed = false;
  try {
    const end = Math.min(limitBytes, bytes.length);
    for (let offset = 0; offset < end; offset += CHUNK_BYTES) {
      const result = await dec(bytes.subarray(offset, Math.min(end, offset + CHUNK_BYTES)));
      if (result.channelData.length > 0) onChunk(result);
    }
    flushed = true;
    const last = await dec();
    if (last.channelData.length > 0) onChunk(last);
  } finally {
    if (!flushed) dec.free();
  }
}

/**
 * Streams ffmpeg decodes: Vorbis and FLAC, where both decoders give the same samples
 * (pipes cannot seek, so never MPEG-4). The others stay with the WASM decoders: for an MP3
 * or ADTS AAC without a gapless header ffmpeg keeps the encoder delay that audio-decode
 * trims (a 4.000 s MP3 would measure 4.024 s); for Opus, libopus (the reference decoder,
 * in audio-decode) and ffmpeg's own decoder differ by a few hundredths of a dB of true
 * peak; PCM is cheaper in-process.
 */
const FFMPEG_DECODERS: ReadonlySet<DecoderName> = new Set(["flac", "oga"]);

let ffmpegFound: boolean | undefined;

/** True when an `ffmpeg` binary answers on the PATH (looked up once per process). */
export function ffmpegAvailable(): boolean {
  if (ffmpegFound === undefined) {
    const probe = spawnSync("ffmpeg", ["-hide_banner", "-version"], {
      stdio: "ignore",
      timeout: 10_000,
    });
    ffmpegFound = probe.status === 0;
  }
  return ffmpegFound;
}

/**
 * Reads ffmpeg's streamed WAV (header, then 32-bit float frames) into channel chunks.
 * The channel arrays it hands out are reused for the next chunk (MonoAccumulator copies
 * what it keeps), so a long file costs no garbage per chunk.
 */
class FloatWavReader {
  private header: Uint8Array = new Uint8Array(0);
  channels = 0;
  sampleRate = 0;
  private inData = false;
  /** Bytes of an incomplete frame left from the previous pipe read. */
  private carry = 0;
  private scratch = new Uint8Array(0);
  private planes: Float32Array[] = [];

  constructor(private readonly onChunk: (chunk: AudioChunk) => void) {}

  push(data: Uint8Array): void {
    if (!this.inData) {
      this.header = joinBytes(this.header, data);
      const start = this.parseHeader();
      if (start < 0) return;
      data = this.header.subarray(start);
      this.header = new Uint8Array(0);
      this.inData = true;
    }
    const ch = this.channels;
    const frameBytes = 4 * ch;
    const total = this.carry + data.length;
    if (this.scratch.length < total + frameBytes) {
      const grown = new Uint8Array(Math.max(total + frameBytes, 2 * this.scratch.length));
      grown.set(this.scratch.subarray(0, this.carry));
      this.scratch = grown;
    }
    // Copied behind the carried bytes: aligned for Float32Array, and the pipe's buffers
    // are not ours to keep.
    this.scratch.set(data, this.carry);
    const frames = Math.floor(total / frameBytes);
    const usable = frames * frameBytes;
    if (frames > 0) {
      const floats = new Float32Array(this.scratch.buffer, 0, frames * ch);
      if (this.planes.length !== ch || this.planes[0]!.length < frames)
        this.planes = Array.from({ length: ch }, () => new Float32Array(Math.max(frames, 16384)));
      const channelData: Float32Array[] = [];
      for (let c = 0; c < ch; c++) {
        const out = this.planes[c]!;
        for (let i = 0, j = c; i < frames; i++, j += ch) out[i] = floats[j]!;
        channelData.push(out.subarray(0, frames));
      }
      this.onChunk({ channelData, sampleRate: this.sampleRate });
    }
    this.scratch.copyWithin(0, usable, total);
    this.carry = total - usable;
  }

  /** Offset of the first sample in `header`, or −1 while the header is incomplete. */
  private parseHeader(): number {
    const h = this.header;
    if (h.length < 12) return -1;
    const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
    const tag = (at: number) => String.fromCharCode(h[at]!, h[at + 1]!, h[at + 2]!, h[at + 3]!);
    if (tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("ffmpeg wrote no WAV header");
    let at = 12;
    while (at + 8 <= h.length) {
      const id = tag(at);
      const size = view.getUint32(at + 4, true);
      if (id === "data") {
        if (this.channels <= 0 || this.sampleRate <= 0) throw new Error("WAV data before fmt");
        return at + 8;
      }
      if (at + 8 + size > h.length) return -1;
      if (id === "fmt ") {
        this.channels = view.getUint16(at + 10, true);
        this.sampleRate = view.getUint32(at + 12, true);
        const bits = view.getUint16(at + 22, true);
        if (bits !== 32) throw new Error(`ffmpeg wrote ${bits}-bit samples`);
      }
      at += 8 + size + (size & 1);
    }
    return -1;
  }
}

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** How long one ffmpeg decode may take (a 3-hour FLAC takes ~1.5 min here) — under the pool's 10-minute task timeout. */
export const FFMPEG_TIMEOUT_MS = 5 * 60_000;

/** ffmpeg did not finish within its deadline and was killed. */
export class DecodeTimeoutError extends Error {
  constructor(ms: number) {
    super(`decoding the audio took longer than ${Math.round(ms / 1000)} s and was stopped`);
    this.name = "DecodeTimeoutError";
  }
}

/**
 * Decodes `bytes` with an ffmpeg child process (stdin → 32-bit float WAV on stdout) and
 * hands the audio to `onChunk` as it arrives. Resolves true when ffmpeg decoded the file
 * to its end, false when it failed (nothing is known about partial output then: the
 * caller starts again with another decoder).
 */
function decodeWithFfmpeg(
  bytes: Uint8Array,
  decoder: DecoderName,
  onChunk: (chunk: AudioChunk) => void,
  timeoutMs = FFMPEG_TIMEOUT_MS,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "ffmpeg",
      [
        ...["-hide_banner", "-nostdin", "-v", "error", "-threads", "1"],
        // The container the byte gate recognised, never ffmpeg's own guess from the bytes.
        ...["-f", decoder === "flac" ? "flac" : "ogg", "-i", "pipe:0"],
        ...["-map", "0:a:0", "-vn", "-sn", "-dn"],
        ...["-c:a", "pcm_f32le", "-f", "wav", "pipe:1"],
      ],
      { stdio: ["pipe", "pipe", "ignore"] },
    );
    const reader = new FloatWavReader(onChunk);
    let failed = false;
    // Its own deadline, below the worker pool's task timeout: a terminated worker thread
    // does not kill the processes it started, and a stuck decode must not outlive the task.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      failed = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    timer.unref();
    child.stdout.on("data", (data: Buffer) => {
      if (failed) return;
      try {
        reader.push(data);
      } catch {
        failed = true;
        child.kill("SIGKILL");
      }
    });
    // ffmpeg may stop reading early (it found no audio): its stdin closes under us.
    child.stdin.on("error", () => {});
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === "ENOENT") ffmpegFound = false;
      failed = true;
      resolve(false);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new DecodeTimeoutError(timeoutMs));
      else resolve(!failed && code === 0 && reader.sampleRate > 0);
    });
    child.stdin.end(bytes);
  });
}

/**
 * Decodes the whole file. `expectedSeconds` (from the container) places the analysis
 * window in the middle of the track; without it the window is the last WINDOW_SECONDS.
 * Throws whatever the decoder throws; returns samples = 0 when nothing was decodable.
 * `ffmpeg: false` keeps to the WASM decoders.
 */
export async function decodeToMono(
  bytes: Uint8Array,
  decoder: DecoderName,
  expectedSeconds: number | null,
  options: { ffmpeg?: boolean; timeoutMs?: number } = {},
): Promise<DecodedAudio> {
  if (options.ffmpeg !== false && FFMPEG_DECODERS.has(decoder) && ffmpegAvailable()) {
    const acc = new MonoAccumulator(expectedSeconds);
    let ok = false;
    try {
      ok = await decodeWithFfmpeg(bytes, decoder, (chunk) => acc.push(chunk), options.timeoutMs);
    } catch (error) {
      // Out of time: the WASM decoder would only take longer.
      if (error instanceof DecodeTimeoutError) throw error;
      ok = false;
    }
    if (ok) {
      const audio = acc.finish();
      if (audio.samples > 0) return { ...audio, decodedBy: "ffmpeg" };
    }
  }
  const acc = new MonoAccumulator(expectedSeconds);
  await decodeChunks(bytes, decoder, (chunk) => acc.push(chunk));
  return { ...acc.finish(), decodedBy: "wasm" };
}

export interface ProbeResult {
  /** Samples per channel decoded from the prefix (0 = nothing decodable). */
  samples: number;
  sampleRate: number;
  /** True when the prefix was the whole file (so `samples` is the file's length). */
  complete: boolean;
}

/**
 * Cheap check that a stream really holds decodable audio: decodes a prefix of the file
 * and reports how many samples came out. A prefix that yields nothing (a frame larger
 * than the prefix, long headers) is retried four times longer, up to the whole file.
 */
export async function probeDecodable(
  bytes: Uint8Array,
  decoder: DecoderName,
  prefixBytes: number,
): Promise<ProbeResult> {
  let samples = 0;
  let sampleRate = 0;
  const count = (chunk: AudioChunk) => {
    samples += chunk.channelData[0]?.length ?? 0;
    if (chunk.sampleRate > 0) sampleRate = chunk.sampleRate;
  };
  let limit = Math.max(1, prefixBytes);
  for (;;) {
    await decodeChunks(bytes, decoder, count, limit);
    const complete = limit >= bytes.length;
    if (samples > 0 || complete) return { samples, sampleRate, complete };
    limit *= 4;
  }
}
