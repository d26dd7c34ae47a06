/**
 * analyseAudio: tags, format, optional audio features and cover art for one uploaded file.
 *
 * Flow: reject empty files → parse with music-metadata (tags, container, duration) →
 * reject what is not audio or not a supported format → then either
 *   analyse: true  — stream-decode the whole file with audio-decode (WASM), mix to mono,
 *                    compute features; duration comes from the decoded audio;
 *   analyse: false — tags-only: duration from the container, plus a cheap probe that
 *                    decodes the first ~8 KB of audio (past any embedded pictures; longer
 *                    if that yields nothing) to prove there is real audio — a few ms per
 *                    file. Skipped for MPEG-4, whose sample tables music-metadata has
 *                    already validated, and when `probe: false`. When the container
 *                    states no length at all, the whole file is decoded to measure it.
 * Unreadable input rejects with UnreadableAudioError(reason in words). Anything that
 * still yields audio succeeds, with findings in `warnings`.
 */
import { parseBuffer, type IAudioMetadata } from "music-metadata";
import {
  decodeToMono,
  DecodeTimeoutError,
  probeDecodable,
  type DecodedAudio,
  type ProbeResult,
} from "./decode";
import { computeFeatures } from "./features";
import { classify, SUPPORTED_FORMATS_TEXT, type AudioKind } from "./formats";
import { pickCover, readTags } from "./tags";
import {
  UnreadableAudioError,
  type AudioFeatures,
  type AudioFormat,
  type TrackAnalysis,
} from "./types";

export interface AnalyseOptions {
  /** The uploaded file name: a hint for the parser and the title fallback. */
  filename: string;
  /** The declared content type, a hint for the parser only (the bytes decide). */
  mimeType?: string;
  /** Decode and compute features (true) or read tags and container only (false). */
  analyse: boolean;
  /** Tags-only mode: verify that a prefix decodes (default true). */
  probe?: boolean;
}

export const SILENT_WARNING = "the file is silent";
/** The decoded audio may be this much shorter than the container says before we warn. */
const TRUNCATION_TOLERANCE = 0.9;
const PROBE_BYTES = 8 * 1024;

const fmtSeconds = (s: number) => `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;

async function parse(bytes: Uint8Array, options: AnalyseOptions): Promise<IAudioMetadata> {
  try {
    return await parseBuffer(
      bytes,
      { path: options.filename, mimeType: options.mimeType, size: bytes.length },
      { duration: true },
    );
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "CouldNotDetermineFileTypeError" || name === "UnsupportedFileTypeError") {
      throw new UnreadableAudioError(
        `not an audio file: its content is no audio format we know (supported: ${SUPPORTED_FORMATS_TEXT})`,
      );
    }
    throw new UnreadableAudioError(
      `the file could not be read as audio: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function extensionOf(fileName: string): string | null {
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(fileName);
  return m?.[1] ? m[1].toLowerCase() : null;
}

function notAudio(options: AnalyseOptions): UnreadableAudioError {
  const ext = extensionOf(options.filename);
  const hint = ext
    ? ` (the name ends in .${ext}, but the content is not ${ext.toUpperCase()} audio)`
    : "";
  return new UnreadableAudioError(`not an audio file: no audio stream was found in it${hint}`);
}

/** Nothing (or next to nothing) decodable: a truncated or damaged stream. */
function undecodable(detail: string): UnreadableAudioError {
  return new UnreadableAudioError(
    `the audio could not be decoded: the file is truncated or damaged (${detail})`,
  );
}

/** The decoder gave up with an error of its own. */
function decoderFailed(error: unknown): UnreadableAudioError {
  if (error instanceof DecodeTimeoutError)
    return new UnreadableAudioError(
      `${error.message}: the file is too long for this server to analyse; upload it in parts or as MP3`,
    );
  const detail = error instanceof Error ? error.message : String(error);
  return new UnreadableAudioError(
    `the audio could not be decoded: the file is damaged or uses a codec variant we cannot read (${detail})`,
  );
}

/** Prefix length for the tags-only probe: past any tags/pictures, plus some audio. */
function probeLength(meta: IAudioMetadata, size: number): number {
  let pictures = 0;
  for (const p of meta.common.picture ?? []) pictures += p.data.length;
  return Math.min(size, PROBE_BYTES + Math.ceil(pictures * 1.4));
}

function baseFormat(meta: IAudioMetadata, kind: AudioKind): Omit<AudioFormat, "durationMs"> {
  const f = meta.format;
  const codec = f.codec ?? null;
  return {
    container: kind.container,
    codec,
    bitrate: typeof f.bitrate === "number" && f.bitrate > 0 ? Math.round(f.bitrate) : null,
    sampleRate: typeof f.sampleRate === "number" && f.sampleRate > 0 ? f.sampleRate : null,
    channels:
      typeof f.numberOfChannels === "number" && f.numberOfChannels > 0 ? f.numberOfChannels : null,
    lossless: f.lossless ?? /flac|alac|pcm/i.test(codec ?? ""),
  };
}

/** Container duration in seconds, or null; `numberOfSamples` wins when it is shorter (truncated CBR MP3). */
function containerSeconds(meta: IAudioMetadata): {
  seconds: number | null;
  announced: number | null;
} {
  const f = meta.format;
  const announced =
    typeof f.duration === "number" && Number.isFinite(f.duration) && f.duration > 0
      ? f.duration
      : null;
  const counted = f.numberOfSamples && f.sampleRate ? f.numberOfSamples / f.sampleRate : null;
  if (
    announced !== null &&
    counted !== null &&
    counted > 0 &&
    counted < announced * TRUNCATION_TOLERANCE
  ) {
    return { seconds: counted, announced };
  }
  return { seconds: announced ?? (counted && counted > 0 ? counted : null), announced };
}

function truncationWarning(decodedSeconds: number, announced: number): string {
  return `the file seems truncated: only ${fmtSeconds(decodedSeconds)} of the ${fmtSeconds(announced)} it announces could be read`;
}

export async function analyseAudio(
  bytes: Uint8Array,
  options: AnalyseOptions,
): Promise<TrackAnalysis> {
  if (bytes.length === 0) throw new UnreadableAudioError("the file is empty (0 bytes)");

  const meta = await parse(bytes, options);
  const f = meta.format;
  if (!f.container || f.hasAudio === false || (!f.sampleRate && !f.duration))
    throw notAudio(options);
  const kind = classify(meta, bytes);
  if (kind.decoder === null) {
    throw new UnreadableAudioError(
      `unsupported audio format: ${kind.description} (supported: ${SUPPORTED_FORMATS_TEXT})`,
    );
  }
  const decoder = kind.decoder;

  const { tags, warnings } = readTags(meta, options.filename);
  const cover = pickCover(meta.common.picture);
  const format = baseFormat(meta, kind);
  const container = containerSeconds(meta);

  if (!options.analyse) {
    // Unknown length (e.g. a WAV written as a stream): decode it all to count the samples.
    const probeAll = container.seconds === null;
    let seconds = container.seconds;
    if (probeAll || (options.probe !== false && kind.container !== "MPEG-4")) {
      let probe: ProbeResult;
      try {
        probe = await probeDecodable(
          bytes,
          decoder,
          probeAll ? bytes.length : probeLength(meta, bytes.length),
        );
      } catch (error) {
        throw decoderFailed(error);
      }
      if (probe.samples === 0 || probe.sampleRate === 0) {
        throw probeAll ? notAudio(options) : undecodable("no playable audio frames");
      }
      if (probeAll) seconds = probe.samples / probe.sampleRate;
    }
    if (seconds === null) throw notAudio(options);
    if (container.announced !== null && seconds < container.announced) {
      warnings.push(truncationWarning(seconds, container.announced));
    }
    return {
      tags,
      format: { ...format, durationMs: Math.round(seconds * 1000) },
      features: null,
      cover,
      warnings,
    };
  }

  let audio: DecodedAudio;
  try {
    audio = await decodeToMono(bytes, decoder, container.seconds);
  } catch (error) {
    throw decoderFailed(error);
  }
  if (audio.samples === 0 || audio.sampleRate === 0) throw undecodable("no playable audio frames");
  const decodedSeconds = audio.samples / audio.sampleRate;
  const announced = container.announced ?? container.seconds;
  if (announced !== null && decodedSeconds < 0.01 * announced && decodedSeconds < 1) {
    throw undecodable(
      `only ${decodedSeconds.toFixed(2)} s of the ${fmtSeconds(announced)} it announces could be decoded`,
    );
  }
  if (announced !== null && decodedSeconds < announced * TRUNCATION_TOLERANCE) {
    warnings.push(truncationWarning(decodedSeconds, announced));
  }

  let features: AudioFeatures | null;
  try {
    features = computeFeatures(audio).features;
  } catch (error) {
    features = null;
    warnings.push(
      `audio features could not be computed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (features?.silent) warnings.push(SILENT_WARNING);

  return {
    tags,
    format: {
      ...format,
      sampleRate: audio.sampleRate,
      channels: format.channels ?? audio.channels,
      durationMs: Math.round(decodedSeconds * 1000),
    },
    features,
    cover,
    warnings,
  };
}
