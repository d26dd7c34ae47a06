/**
 * The strict gate every uploaded file passes before it can become a track, whatever the
 * client declared (form or URL import): the bytes decide. Each container is walked, not
 * just recognised by its first bytes:
 * - MP3 / ADTS AAC: a strict frame sync — MIN_CHAIN consecutive frames whose headers are
 *   valid and agree (version, layer, sample rate), each starting exactly where the
 *   previous one ends; then the whole stream is walked and the frames must cover most of
 *   the bytes between the tags (a duration consistent with size and bitrate). Random
 *   bytes behind an ID3 header never chain.
 * - WAV / AIFF: a format chunk with sane values and a data chunk; the duration is the data
 *   length over the byte rate.
 * - FLAC: STREAMINFO, the metadata blocks, then a frame sync where the audio begins.
 * - Ogg: pages chained from start to end, the first page's CRC checked, an audio codec
 *   (Vorbis, Opus, FLAC) in the first packet; the duration from the last granule.
 * - MPEG-4: top-level boxes chained to the end of the file, a `moov` with a sound track.
 * Every refusal says in words what the file is (a PNG image, a program, text …) or what
 * is wrong with it. Decoding itself happens in the pipeline after this gate.
 */

/** Consecutive valid, agreeing frames needed to accept an MPEG/ADTS stream. */
export const MIN_CHAIN = 6;
/** Less audio than this is not a track. */
export const MIN_AUDIO_SECONDS = 0.5;
/** Share of the bytes between the tags that frames must cover (the rest is junk). */
export const MIN_FRAME_COVERAGE = 0.75;
/** How far after the tags the first frame may start (junk, padding). */
const MAX_LEADING_JUNK = 64 * 1024;

export type AudioContainer = "mp3" | "aac" | "wav" | "aiff" | "flac" | "ogg" | "opus" | "m4a";

export interface VerifiedAudio {
  ok: true;
  /** The real format, whatever the name or the declared type say. */
  format: AudioContainer;
  contentType: string;
  extension: string;
  /** Seconds of audio the structure accounts for (an estimate for VBR without a header). */
  seconds: number | null;
  sampleRate: number | null;
  /** The file name's extension names another format (the file was renamed): a warning. */
  renamed: string | null;
}

export interface RefusedAudio {
  ok: false;
  /** For the uploader, in words. */
  reason: string;
}

export type AudioVerdict = VerifiedAudio | RefusedAudio;

const TYPES: Record<AudioContainer, { contentType: string; extension: string; name: string }> = {
  mp3: { contentType: "audio/mpeg", extension: "mp3", name: "MP3" },
  aac: { contentType: "audio/aac", extension: "aac", name: "AAC" },
  wav: { contentType: "audio/wav", extension: "wav", name: "WAV" },
  aiff: { contentType: "audio/aiff", extension: "aiff", name: "AIFF" },
  flac: { contentType: "audio/flac", extension: "flac", name: "FLAC" },
  ogg: { contentType: "audio/ogg", extension: "ogg", name: "Ogg Vorbis" },
  opus: { contentType: "audio/ogg", extension: "opus", name: "Opus" },
  m4a: { contentType: "audio/mp4", extension: "m4a", name: "MPEG-4 audio" },
};

/** Extensions each format is commonly named with. */
const EXTENSIONS: Record<AudioContainer, string[]> = {
  mp3: ["mp3", "mp2", "mpga", "mpeg"],
  aac: ["aac", "adts"],
  wav: ["wav", "wave"],
  aiff: ["aif", "aiff", "aifc"],
  flac: ["flac"],
  ogg: ["ogg", "oga"],
  opus: ["opus", "ogg", "oga"],
  m4a: ["m4a", "mp4", "m4b", "aac", "3gp"],
};

const refuse = (reason: string): RefusedAudio => ({ ok: false, reason });

const ascii = (b: Uint8Array, at: number, text: string) =>
  b.length >= at + text.length && [...text].every((ch, i) => b[at + i] === ch.charCodeAt(0));
const u32be = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const u32le = (b: Uint8Array, at: number) =>
  b[at]! + (b[at + 1]! << 8) + (b[at + 2]! << 16) + ((b[at + 3]! << 24) >>> 0);
const u16le = (b: Uint8Array, at: number) => b[at]! + (b[at + 1]! << 8);

function extensionOf(filename: string | undefined): string | null {
  const m = filename ? /\.([A-Za-z0-9]{1,5})$/.exec(filename) : null;
  return m?.[1] ? m[1].toLowerCase() : null;
}

/** Checks that `bytes` are audio we can ingest; the verdict names the real format or says why not. */
export function verifyAudio(bytes: Uint8Array, options: { filename?: string } = {}): AudioVerdict {
  const verdict = inspect(bytes);
  if (!verdict.ok) {
    const ext = extensionOf(options.filename);
    const named =
      ext && KNOWN_AUDIO_EXTENSIONS.has(ext) && bytes.length > 0
        ? ` (although its name ends in .${ext})`
        : "";
    return refuse(verdict.reason + named);
  }
  const ext = extensionOf(options.filename);
  const renamed =
    ext && !EXTENSIONS[verdict.format].includes(ext)
      ? `the file is named .${ext} but is ${TYPES[verdict.format].name}; it was filed as ${TYPES[verdict.format].name}`
      : null;
  return { ...verdict, renamed };
}

const KNOWN_AUDIO_EXTENSIONS = new Set(Object.values(EXTENSIONS).flat().concat(["wma", "mka"]));

function inspect(b: Uint8Array): Omit<VerifiedAudio, "renamed"> | RefusedAudio {
  if (b.length === 0) return refuse("the file is empty (0 bytes)");
  const other = notAudio(b);
  if (other) return refuse(`this is ${other}, not audio`);
  const h = (...v: number[]) => v.every((x, i) => b[i] === x);
  if (h(0x1a, 0x45, 0xdf, 0xa3))
    return refuse("Matroska/WebM files are not supported (MP3, AAC/M4A, FLAC, Ogg, WAV, AIFF are)");
  if (h(0x30, 0x26, 0xb2, 0x75))
    return refuse(
      "Windows Media (WMA/ASF) files are not supported (MP3, AAC/M4A, FLAC, Ogg, WAV, AIFF are)",
    );
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) return checkWav(b);
  if (ascii(b, 0, "FORM") && (ascii(b, 8, "AIFF") || ascii(b, 8, "AIFC"))) return checkAiff(b);
  if (ascii(b, 0, "fLaC")) return checkFlac(b, 0);
  if (ascii(b, 0, "OggS")) return checkOgg(b);
  if (ascii(b, 4, "ftyp")) return checkMp4(b);
  return checkMpeg(b);
}

/** Common non-audio files, recognised so the refusal can say what the file is. */
function notAudio(b: Uint8Array): string | null {
  const h = (...bytes: number[]) => bytes.every((v, i) => b[i] === v);
  if (h(0x89, 0x50, 0x4e, 0x47)) return "a PNG image";
  if (h(0xff, 0xd8, 0xff)) return "a JPEG image";
  if (ascii(b, 0, "GIF8")) return "a GIF image";
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) return "a WebP image";
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "AVI ")) return "an AVI video";
  if (ascii(b, 0, "%PDF")) return "a PDF document";
  if (h(0x7f, 0x45, 0x4c, 0x46)) return "a program (an ELF executable)";
  if (ascii(b, 0, "MZ")) return "a Windows program";
  if (h(0xcf, 0xfa, 0xed, 0xfe) || h(0xfe, 0xed, 0xfa, 0xcf) || h(0xca, 0xfe, 0xba, 0xbe))
    return "a macOS program";
  if (ascii(b, 0, "#!")) return "a script";
  if (h(0x50, 0x4b, 0x03, 0x04)) return "a ZIP archive (or an office document)";
  if (h(0x1f, 0x8b)) return "a gzip archive";
  if (h(0x37, 0x7a, 0xbc, 0xaf)) return "a 7-Zip archive";
  if (ascii(b, 0, "ID3")) return null;
  if (looksLikeText(b)) return "a text file";
  return null;
}

/** Mostly printable UTF-8 in the first 4 KB (no NUL bytes). */
function looksLikeText(b: Uint8Array): boolean {
  const head = b.subarray(0, 4096);
  let printable = 0;
  for (const c of head) {
    if (c === 0) return false;
    if (c === 9 || c === 10 || c === 13 || (c >= 0x20 && c < 0x7f) || c >= 0x80) printable++;
  }
  if (printable < head.length * 0.98) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head.subarray(0, lastCharBoundary(head)));
    return true;
  } catch {
    return false;
  }
}

/** Cuts a possibly split multi-byte character off the end. */
function lastCharBoundary(b: Uint8Array): number {
  const end = b.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const c = b[end - i]!;
    if ((c & 0xc0) === 0xc0) return end - i;
    if ((c & 0x80) === 0) break;
  }
  return end;
}

function tooShort(seconds: number): RefusedAudio {
  return refuse(
    `the file holds only ${seconds.toFixed(2)} s of audio; a track needs at least ${MIN_AUDIO_SECONDS} s`,
  );
}

function ok(
  format: AudioContainer,
  seconds: number | null,
  sampleRate: number | null,
): Omit<VerifiedAudio, "renamed"> | RefusedAudio {
  if (seconds !== null && seconds < MIN_AUDIO_SECONDS) return tooShort(seconds);
  const t = TYPES[format];
  return {
    ok: true,
    format,
    contentType: t.contentType,
    extension: t.extension,
    seconds,
    sampleRate,
  };
}

// --- MPEG audio (MP3) and ADTS (AAC) ------------------------------------------------

const BITRATES: Record<string, number[]> = {
  // [version 1 | 2 (2 and 2.5)] [layer 1..3]
  "1-1": [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  "1-2": [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  "1-3": [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  "2-1": [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  "2-2": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  "2-3": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000], // MPEG 1
  2: [22050, 24000, 16000], // MPEG 2
  0: [11025, 12000, 8000], // MPEG 2.5
};
const ADTS_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

interface Frame {
  /** Version/layer/rate signature: consecutive frames must agree on it. */
  sig: number;
  length: number;
  samples: number;
  sampleRate: number;
}

/** An MPEG audio (layer I–III) frame header at `at`, or null. Free-format frames are refused. */
function mpegFrame(b: Uint8Array, at: number): Frame | null {
  if (at + 4 > b.length) return null;
  const b0 = b[at]!;
  const b1 = b[at + 1]!;
  const b2 = b[at + 2]!;
  const b3 = b[at + 3]!;
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 3; // 0: 2.5, 1: reserved, 2: 2, 3: 1
  const layerBits = (b1 >> 1) & 3; // 0 reserved, 1: III, 2: II, 3: I
  if (version === 1 || layerBits === 0) return null;
  const layer = 4 - layerBits;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  if ((b3 & 3) === 2) return null; // reserved emphasis
  const kbps = BITRATES[`${version === 3 ? 1 : 2}-${layer}`]![bitrateIndex]!;
  const sampleRate = MPEG_RATES[version]![rateIndex]!;
  const padding = (b2 >> 1) & 1;
  let length: number;
  let samples: number;
  if (layer === 1) {
    length = (Math.floor((12 * kbps * 1000) / sampleRate) + padding) * 4;
    samples = 384;
  } else if (layer === 2 || version === 3) {
    length = Math.floor((144 * kbps * 1000) / sampleRate) + padding;
    samples = 1152;
  } else {
    length = Math.floor((72 * kbps * 1000) / sampleRate) + padding;
    samples = 576;
  }
  if (length < 21) return null;
  return { sig: (version << 4) | (layer << 2) | rateIndex, length, samples, sampleRate };
}

/** An ADTS (AAC) frame header at `at`, or null. */
function adtsFrame(b: Uint8Array, at: number): Frame | null {
  if (at + 7 > b.length) return null;
  if (b[at] !== 0xff || (b[at + 1]! & 0xf6) !== 0xf0) return null;
  const profile = b[at + 2]! >> 6;
  const rateIndex = (b[at + 2]! >> 2) & 0x0f;
  if (rateIndex >= ADTS_RATES.length || profile === 3) return null;
  const channels = ((b[at + 2]! & 1) << 2) | (b[at + 3]! >> 6);
  const length = ((b[at + 3]! & 3) << 11) | (b[at + 4]! << 3) | (b[at + 5]! >> 5);
  const headerLength = (b[at + 1]! & 1) === 1 ? 7 : 9;
  if (length <= headerLength) return null;
  const blocks = (b[at + 6]! & 3) + 1;
  return {
    sig: (profile << 8) | (rateIndex << 4) | channels,
    length,
    samples: 1024 * blocks,
    sampleRate: ADTS_RATES[rateIndex]!,
  };
}

/** Where the ID3v2 tag(s) at the start end (0 when there is none). */
function id3v2End(b: Uint8Array): number {
  let at = 0;
  while (ascii(b, at, "ID3") && at + 10 <= b.length) {
    const flags = b[at + 5]!;
    const size =
      ((b[at + 6]! & 0x7f) << 21) |
      ((b[at + 7]! & 0x7f) << 14) |
      ((b[at + 8]! & 0x7f) << 7) |
      (b[at + 9]! & 0x7f);
    at += 10 + size + (flags & 0x10 ? 10 : 0);
  }
  return at;
}

/** Where the audio ends: before an ID3v1 tag and an APEv2 tag at the end. */
function trailingTagsStart(b: Uint8Array, start: number): number {
  let end = b.length;
  if (end - 128 >= start && ascii(b, end - 128, "TAG")) end -= 128;
  if (end - 32 >= start && ascii(b, end - 32, "APETAGEX")) {
    const size = u32le(b, end - 32 + 12);
    const flags = u32le(b, end - 32 + 20);
    const total = size + ((flags & 0x80000000) !== 0 ? 32 : 0);
    if (total <= end - start) end -= total;
  }
  return end;
}

/** Length of the chain of agreeing frames starting at `at` (stops at `need` frames). */
function chainAt(
  b: Uint8Array,
  at: number,
  end: number,
  read: (b: Uint8Array, at: number) => Frame | null,
  need: number,
): number {
  const first = read(b, at);
  if (!first) return 0;
  let n = 0;
  let pos = at;
  for (let f: Frame | null = first; f && f.sig === first.sig; f = read(b, pos)) {
    if (pos + f.length > end) return n + 1 >= need ? n + 1 : n; // a last, cut frame
    n++;
    pos += f.length;
    if (n >= need || pos === end) return n;
  }
  return n;
}

function checkMpeg(b: Uint8Array): Omit<VerifiedAudio, "renamed"> | RefusedAudio {
  const start = id3v2End(b);
  if (start >= b.length)
    return refuse("the file holds only a tag (title, artist …) and no audio at all");
  const end = trailingTagsStart(b, start);
  const limit = Math.min(end, start + MAX_LEADING_JUNK);
  for (const [format, read] of [
    ["mp3", mpegFrame],
    ["aac", adtsFrame],
  ] as const) {
    for (let at = start; at < limit; at++) {
      if (b[at] !== 0xff) continue;
      if (chainAt(b, at, end, read, MIN_CHAIN) < MIN_CHAIN) continue;
      return walkFrames(b, at, start, end, read, format);
    }
  }
  const tagged = start > 0 ? " after its ID3 tag" : "";
  return refuse(
    `no audio format we know was found in the file${tagged}: it is not MP3, AAC, WAV, AIFF, FLAC, Ogg or M4A audio, or it is damaged`,
  );
}

/** Walks every frame, resyncing over junk; the frames must cover most of the payload. */
function walkFrames(
  b: Uint8Array,
  first: number,
  start: number,
  end: number,
  read: (b: Uint8Array, at: number) => Frame | null,
  format: "mp3" | "aac",
): Omit<VerifiedAudio, "renamed"> | RefusedAudio {
  const sig = read(b, first)!.sig;
  let pos = first;
  let frameBytes = 0;
  let samples = 0;
  let sampleRate = 0;
  while (pos < end) {
    const f = read(b, pos);
    if (f && f.sig === sig) {
      const len = Math.min(f.length, end - pos);
      frameBytes += len;
      // A cut last frame still counts its bytes; its samples only when whole.
      if (len === f.length) samples += f.samples;
      sampleRate = f.sampleRate;
      pos += f.length;
      continue;
    }
    // Lost sync: look for the next place where three agreeing frames chain.
    let next = -1;
    for (let at = pos + 1; at < end; at++) {
      if (b[at] === 0xff && chainAt(b, at, end, read, 3) >= 3 && read(b, at)!.sig === sig) {
        next = at;
        break;
      }
    }
    if (next < 0) break;
    pos = next;
  }
  const payload = end - start;
  const coverage = frameBytes / payload;
  const seconds = sampleRate ? samples / sampleRate : 0;
  if (coverage < MIN_FRAME_COVERAGE) {
    return refuse(
      `only ${Math.round(coverage * 100)}% of the file is ${TYPES[format].name} audio (${seconds.toFixed(1)} s); the rest is not audio`,
    );
  }
  return ok(format, seconds, sampleRate || null);
}

// --- WAV, AIFF ---------------------------------------------------------------------

function checkWav(b: Uint8Array): Omit<VerifiedAudio, "renamed"> | RefusedAudio {
  let at = 12;
  let byteRate = 0;
  let sampleRate = 0;
  let dataBytes = -1;
  while (at + 8 <= b.length) {
    const id = String.fromCharCode(...b.subarray(at, at + 4));
    const size = u32le(b, at + 4);
    if (id === "fmt ") {
      if (size < 16 || at + 8 + 16 > b.length)
        return refuse("the WAV file's format chunk is damaged");
      const codec = u16le(b, at + 8);
      const channels = u16le(b, at + 10);
      sampleRate = u32le(b, at + 12);
      byteRate = u32le(b, at + 16);
      if (![1, 3, 0xfffe].includes(codec))
        return refuse(`the WAV file uses a codec we do not read (format tag ${codec})`);
      if (
        channels < 1 ||
        channels > 32 ||
        sampleRate < 1000 ||
        sampleRate > 768_000 ||
        byteRate === 0
      )
        return refuse("the WAV file's format chunk has impossible values (damaged)");
    } else if (id === "data") {
      if (byteRate === 0) return refuse("the WAV file has no format chunk before its audio");
      const available = b.length - (at + 8);
      dataBytes = size === 0 || size === 0xffffffff ? available : Math.min(size, available);
      break;
    }
    at += 8 + size + (size & 1);
  }
  if (dataBytes < 0) return refuse("the WAV file has no audio data (no data chunk)");
  return ok("wav", dataBytes / byteRate, sampleRate);
}

/** IEEE 754 80-bit extended (AIFF's sample rate). */
function extended80(b: Uint8Array, at: number): number {
  const exponent = ((b[at]! & 0x7f) << 8) | b[at + 1]!;
  const mantissa = u32be(b, at + 2) * 2 ** 32 + u32be(b, at + 6);
  if (exponent === 0 && mantissa === 0) return 0;
  return mantissa * 2 ** (exponent - 16383 - 63);
}

function checkAiff(b: Uint8Array): Omit<VerifiedAudio, "renamed"> | RefusedAudio {
  let at = 12;
  let frames = -1;
  let sampleRate = 0;
  let sound = false;
  while (at + 8 <= b.length) {
    const id = String.fromCharCode(...b.subarray(at, at + 4));
    const size = u32be(b, at + 4);
    if (id === "COMM" && at + 8 + 18 <= b.length) {
      frames = u32be(b, at + 10);
      sampleRate = extended80(b, at + 16);
    } else if (id === "SSND") sound = size > 8 && at + 16 < b.length;
    at += 8 + size + (size & 1);
  }
  if (frames < 0 || !(sampleRate >= 1000 && sampleRate <= 768_000))
    return refuse("the AIFF file has no valid format chunk (damaged)");
  if (!sound || frames === 0) return refuse("the AIFF file holds no sound data");
  return ok("aiff", frames / sampleRate, Math.round(sampleRate));
}

// --- FLAC --------------------------------------------------------------------------

function checkFlac(b: Uint8Array, base: number): Omit<VerifiedAudio, "renamed"> | RefusedAudio {
  let at = base + 4;
  let sampleRate = 0;
  let totalSamples = 0;
  let first = true;
  for (;;) {
    if (at + 4 > b.length) return refuse("the FLAC file is truncated: it ends inside its headers");
    const header = b[at]!;
    const type = header & 0x7f;
    const length = (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
    if (first) {
      if (type !== 0 || length !== 34 || at + 4 + 34 > b.length)
        return refuse("the FLAC file's stream header is damaged");
      const s = at + 4 + 10;
      sampleRate = (b[s]! << 12) | (b[s + 1]! << 4) | (b[s + 2]! >> 4);
      totalSamples = (b[s + 3]! & 0x0f) * 2 ** 32 + u32be(b, s + 4);
      if (sampleRate === 0) return refuse("the FLAC file's stream header has no sample rate");
      first = false;
    }
    at += 4 + length;
    if (header & 0x80) break;
  }
  if (at + 2 > b.length) return refuse("the FLAC file holds no audio frames (truncated)");
  if (b[at] !== 0xff || (b[at + 1]! & 0xfe) !== 0xf8)
    return refuse("the FLAC file's audio does not start with a frame (damaged)");
  return ok("flac", totalSamples > 0 ? totalSamples / sampleRate : null, sampleRate);
}

// --- Ogg ---------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

function checkOgg(b: Uint8Array): Omit<VerifiedAudio, "renamed"> | RefusedAudio {
  let at = 0;
  let pages = 0;
  let lastGranule = -1;
  let covered = 0;
  let codec: "ogg" | "opus" | "flac" | null = null;
  let sampleRate = 0;
  let preSkip = 0;
  let serial = -1;
  while (at + 27 <= b.length && ascii(b, at, "OggS")) {
    const segments = b[at + 26]!;
    if (at + 27 + segments > b.length) break;
    let body = 0;
    for (let i = 0; i < segments; i++) body += b[at + 27 + i]!;
    const length = 27 + segments + body;
    if (at + length > b.length) break; // a cut last page
    const page = b.subarray(at, at + length);
    if (pages === 0) {
      if (oggCrc(page) !== u32le(b, at + 22))
        return refuse("the Ogg file is damaged (its first page fails its checksum)");
      const p = at + 27 + segments;
      serial = u32le(b, at + 14);
      if (ascii(b, p, "\x01vorbis")) {
        codec = "ogg";
        sampleRate = u32le(b, p + 12);
      } else if (ascii(b, p, "OpusHead")) {
        codec = "opus";
        sampleRate = 48000;
        preSkip = u16le(b, p + 10);
      } else if (ascii(b, p, "\x7fFLAC")) {
        codec = "flac";
        sampleRate = (b[p + 27]! << 12) | (b[p + 28]! << 4) | (b[p + 29]! >> 4);
      } else {
        return refuse(
          "the Ogg file holds no audio stream we read (Vorbis, Opus or FLAC); it may be a video",
        );
      }
    }
    if (u32le(b, at + 14) === serial) {
      const lo = u32le(b, at + 6);
      const hi = u32le(b, at + 10);
      if (hi !== 0xffffffff) lastGranule = hi * 2 ** 32 + lo;
    }
    pages++;
    covered += length;
    at += length;
  }
  if (pages === 0 || codec === null) return refuse("the Ogg file is damaged (no valid page)");
  if (covered / b.length < MIN_FRAME_COVERAGE)
    return refuse(
      `only ${Math.round((covered / b.length) * 100)}% of the file is Ogg pages; the rest is not audio`,
    );
  if (pages < 2) return refuse("the Ogg file holds only headers and no audio (truncated)");
  const samples = Math.max(0, lastGranule - preSkip);
  const seconds = sampleRate > 0 && lastGranule > 0 ? samples / sampleRate : null;
  return ok(codec === "flac" ? "flac" : codec, seconds, sampleRate || null);
}

// --- MPEG-4 ------------------------------------------------------------------------

function checkMp4(b: Uint8Array): Omit<VerifiedAudio, "renamed"> | RefusedAudio {
  let at = 0;
  let moov: [number, number] | null = null;
  let media = false;
  while (at + 8 <= b.length) {
    let size = u32be(b, at);
    const type = String.fromCharCode(...b.subarray(at + 4, at + 8));
    let header = 8;
    if (size === 1) {
      if (at + 16 > b.length) break;
      size = u32be(b, at + 8) * 2 ** 32 + u32be(b, at + 12);
      header = 16;
    } else if (size === 0) size = b.length - at;
    if (size < header) return refuse("the MPEG-4 file is damaged (a box has an impossible size)");
    if (at + size > b.length)
      return refuse(
        `the MPEG-4 file is truncated: its "${type}" box runs past the end of the file`,
      );
    if (type === "moov") moov = [at + header, at + size];
    if ((type === "mdat" || type === "moof") && size > header) media = true;
    at += size;
  }
  if (!moov) return refuse("the MPEG-4 file has no index (moov box): it is truncated or damaged");
  if (!media) return refuse("the MPEG-4 file holds no media data");
  const inMoov = b.subarray(moov[0], moov[1]);
  let sound = false;
  let video = false;
  for (let i = 0; i + 16 <= inMoov.length; i++) {
    if (ascii(inMoov, i, "hdlr")) {
      const handler = String.fromCharCode(...inMoov.subarray(i + 12, i + 16));
      if (handler === "soun") sound = true;
      if (handler === "vide") video = true;
    }
  }
  if (!sound)
    return refuse(
      video ? "this is a video without sound, not audio" : "the MPEG-4 file has no sound track",
    );
  let seconds: number | null = null;
  for (let i = 0; i + 32 <= inMoov.length; i++) {
    if (!ascii(inMoov, i, "mvhd")) continue;
    const v = inMoov[i + 4]!;
    if (v === 0) {
      const scale = u32be(inMoov, i + 16);
      const duration = u32be(inMoov, i + 20);
      if (scale > 0) seconds = duration / scale;
    } else if (i + 40 <= inMoov.length) {
      const scale = u32be(inMoov, i + 24);
      const duration = u32be(inMoov, i + 28) * 2 ** 32 + u32be(inMoov, i + 32);
      if (scale > 0) seconds = duration / scale;
    }
    break;
  }
  return ok("m4a", seconds && seconds > 0 ? seconds : null, null);
}
