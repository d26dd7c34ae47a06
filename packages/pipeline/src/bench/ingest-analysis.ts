/**
 * Bench: audio analysis cost per file, with baselines measured in the same run.
 *
 *   npx tsx packages/pipeline/src/bench/ingest-analysis.ts [--files N] [--minutes M] [--repeat R] [dir]
 *
 * Corpus: N MP3s of M minutes (default 6 × 3 min), made in memory by looping the MP3
 * frames of test/fixtures/bench-source.mp3 (stereo, 192 kbit/s), one stereo 44.1 kHz WAV
 * of M minutes synthesised in TS, and the decodable fixtures (4 s each, every format).
 * With a directory argument, the audio files in it are used instead.
 *
 * For every file (after a warm-up pass; each step in its own pass; median of R runs, 3R
 * for the cheap mm and tags-only steps):
 *   mm        raw music-metadata parseBuffer (duration: true, as analyseAudio uses it)
 *   tags-only analyseAudio({ analyse: false }) — mm + tag mapping + the decode probe
 *   decode    audio-decode whole-file decode — the decode-only baseline
 *   analysis  analyseAudio({ analyse: true }) — streaming decode + mono + all features
 * and prints analysis/decode (target ≤ 3×) and audio seconds per analysis second on one
 * core (target ≥ 50× real time), per format and in total.
 *
 * Exports runIngestAnalysisBench() and loopMp3() for `npm run bench:ingest`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import decode from "audio-decode";
import { parseBuffer } from "music-metadata";
import { analyseAudio } from "../analysis/analyse";
import { musicLike } from "../analysis/synth";
import { encodeWav } from "../analysis/wav";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));
const DECODABLE_FIXTURES = [
  "music.wav",
  "tagged.mp3",
  "music.ogg",
  "music.flac",
  "music.m4a",
  "03 - Night_Drive.mp3",
];

export interface BenchFile {
  name: string;
  bytes: Uint8Array;
}

export interface FileResult {
  name: string;
  format: string;
  audioSeconds: number;
  bytes: number;
  mmMs: number;
  tagsOnlyMs: number;
  decodeMs: number;
  analysisMs: number;
}

export interface BenchOptions {
  files?: number;
  minutes?: number;
  repeat?: number;
  dir?: string;
}

const MP3_BITRATES_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_BITRATES_V2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const MP3_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

/** Frame offsets/lengths of an MPEG Layer III stream (ID3v2 and the Xing/Info frame skipped). */
function mp3Frames(bytes: Uint8Array): {
  frames: Uint8Array[];
  samplesPerFrame: number;
  sampleRate: number;
} {
  let pos = 0;
  if (bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
    const size =
      (((bytes[6] ?? 0) & 0x7f) << 21) |
      (((bytes[7] ?? 0) & 0x7f) << 14) |
      (((bytes[8] ?? 0) & 0x7f) << 7) |
      ((bytes[9] ?? 0) & 0x7f);
    pos = 10 + size;
  }
  const frames: Uint8Array[] = [];
  let samplesPerFrame = 1152;
  let sampleRate = 44100;
  while (pos + 4 <= bytes.length) {
    const b1 = bytes[pos + 1] ?? 0;
    const b2 = bytes[pos + 2] ?? 0;
    if (bytes[pos] !== 0xff || (b1 & 0xe0) !== 0xe0 || ((b1 >> 1) & 3) !== 1) {
      pos++;
      continue;
    }
    const version = (b1 >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    const bitrate = (version === 3 ? MP3_BITRATES_V1_L3 : MP3_BITRATES_V2_L3)[(b2 >> 4) & 15] ?? 0;
    const rate = MP3_RATES[version]?.[(b2 >> 2) & 3] ?? 0;
    if (!bitrate || !rate) {
      pos++;
      continue;
    }
    const padding = (b2 >> 1) & 1;
    samplesPerFrame = version === 3 ? 1152 : 576;
    sampleRate = rate;
    const length = Math.floor(((samplesPerFrame / 8) * bitrate * 1000) / rate) + padding;
    const frame = bytes.subarray(pos, pos + length);
    const text = String.fromCharCode(...frame.subarray(0, Math.min(frame.length, 64)));
    if (frames.length > 0 || !/Xing|Info/.test(text)) frames.push(frame);
    pos += length;
  }
  return { frames, samplesPerFrame, sampleRate };
}

/** A `seconds`-long MP3 made by repeating the frames of `source` (no Xing header, CBR). */
export function loopMp3(source: Uint8Array, seconds: number): Uint8Array {
  const { frames, samplesPerFrame, sampleRate } = mp3Frames(source);
  if (frames.length === 0) throw new Error("no MP3 frames in the source");
  const count = Math.ceil((seconds * sampleRate) / samplesPerFrame);
  let size = 0;
  for (let i = 0; i < count; i++) size += frames[i % frames.length]?.length ?? 0;
  const out = new Uint8Array(size);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const frame = frames[i % frames.length];
    if (!frame) continue;
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}

export function generatedCorpus(files: number, minutes: number): BenchFile[] {
  const source = new Uint8Array(readFileSync(join(FIXTURES, "bench-source.mp3")));
  const corpus: BenchFile[] = [];
  for (let i = 0; i < files; i++)
    corpus.push({ name: `loop-${i + 1}.mp3`, bytes: loopMp3(source, minutes * 60) });
  corpus.push({
    name: "synth.wav",
    bytes: encodeWav(musicLike({ bpm: 124, seconds: minutes * 60, stereo: true }), 44_100),
  });
  for (const name of DECODABLE_FIXTURES)
    corpus.push({ name, bytes: new Uint8Array(readFileSync(join(FIXTURES, name))) });
  return corpus;
}

export function directoryCorpus(dir: string): BenchFile[] {
  return readdirSync(dir)
    .filter((name) => /\.(mp3|m4a|mp4|aac|flac|ogg|oga|opus|wav|aif|aiff)$/i.test(name))
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

type Step = "mm" | "tags" | "decode" | "analysis";

function step(file: BenchFile, which: Step): () => Promise<unknown> {
  switch (which) {
    case "mm":
      return () =>
        parseBuffer(file.bytes, { path: file.name, size: file.bytes.length }, { duration: true });
    case "tags":
      return () => analyseAudio(file.bytes, { filename: file.name, analyse: false });
    case "decode":
      return () => decode(file.bytes);
    case "analysis":
      return () => analyseAudio(file.bytes, { filename: file.name, analyse: true });
  }
}

/**
 * Each step runs as its own pass over the corpus (so one step's garbage is not collected
 * on another's clock); per file the median of `repeat` runs (3× more for the cheap steps).
 */
export async function measureCorpus(
  corpus: readonly BenchFile[],
  repeat: number,
): Promise<FileResult[]> {
  const facts: { format: string; audioSeconds: number }[] = [];
  for (const file of corpus) {
    const full = await analyseAudio(file.bytes, { filename: file.name, analyse: true }); // warm-up + facts
    await decode(file.bytes);
    facts.push({ format: full.format.container, audioSeconds: full.format.durationMs / 1000 });
  }
  const times = (which: Step, runs: number) =>
    (async () => {
      const perFile: number[] = [];
      for (const file of corpus) {
        const fn = step(file, which);
        const samples: number[] = [];
        for (let r = 0; r < runs; r++) samples.push(await timed(fn));
        perFile.push(median(samples));
      }
      return perFile;
    })();
  const mm = await times("mm", repeat * 3);
  const tags = await times("tags", repeat * 3);
  const dec = await times("decode", repeat);
  const ana = await times("analysis", repeat);
  return corpus.map((file, i) => ({
    name: file.name,
    format: facts[i]?.format ?? "?",
    audioSeconds: facts[i]?.audioSeconds ?? 0,
    bytes: file.bytes.length,
    mmMs: mm[i] ?? 0,
    tagsOnlyMs: tags[i] ?? 0,
    decodeMs: dec[i] ?? 0,
    analysisMs: ana[i] ?? 0,
  }));
}

function summarise(label: string, rows: FileResult[]): string {
  const sum = (f: (r: FileResult) => number) => rows.reduce((a, r) => a + f(r), 0);
  const audio = sum((r) => r.audioSeconds);
  const mm = sum((r) => r.mmMs);
  const tags = sum((r) => r.tagsOnlyMs);
  const dec = sum((r) => r.decodeMs);
  const ana = sum((r) => r.analysisMs);
  const cells = [
    label.padEnd(16),
    String(rows.length).padStart(5),
    audio.toFixed(0).padStart(8),
    ((rows.length / mm) * 1000).toFixed(0).padStart(9),
    ((rows.length / tags) * 1000).toFixed(0).padStart(10),
    dec.toFixed(0).padStart(10),
    ana.toFixed(0).padStart(11),
    `${(ana / dec).toFixed(2)}×`.padStart(8),
    `${(audio / (ana / 1000)).toFixed(0)}×`.padStart(9),
    `${(audio / (dec / 1000)).toFixed(0)}×`.padStart(9),
  ];
  return cells.join(" ");
}

export async function runIngestAnalysisBench(options: BenchOptions = {}): Promise<FileResult[]> {
  const files = options.files ?? 6;
  const minutes = options.minutes ?? 3;
  const repeat = options.repeat ?? 3;
  const corpus = options.dir ? directoryCorpus(options.dir) : generatedCorpus(files, minutes);
  const results = await measureCorpus(corpus, repeat);

  const totalAudio = results.reduce((a, r) => a + r.audioSeconds, 0);
  const log = (line = "") => process.stdout.write(`${line}\n`);
  log(
    `ingest analysis bench — ${results.length} files, ${(totalAudio / 60).toFixed(1)} min of audio, median of ${repeat} runs, Node ${process.version}, 1 thread`,
  );
  log(
    options.dir
      ? `corpus: ${options.dir}`
      : `corpus: ${files} × ${minutes} min looped MP3 (192k stereo), ${minutes} min synthesised WAV, ${DECODABLE_FIXTURES.length} fixtures of 4 s`,
  );
  log();
  log(
    "group             files  audio s  mm files/s  tags-only/s  decode ms  analysis ms  ana/dec   ×RT ana   ×RT dec",
  );
  const groups = new Map<string, FileResult[]>();
  for (const r of results) {
    const key = r.audioSeconds >= 30 ? `${r.format} (long)` : `${r.format} (4 s)`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [key, rows] of [...groups].sort()) log(summarise(key, rows));
  log(summarise("all", results));
  const long = results.filter((r) => r.audioSeconds >= 30);
  if (long.length > 0) log(summarise("all long files", long));
  log();
  log(
    "mm files/s: raw music-metadata parseBuffer (duration: true); tags-only/s: analyseAudio({ analyse: false }) incl. the decode probe.",
  );
  log(
    "ana/dec: full analysis time over audio-decode decode-only time (target ≤ 3×); ×RT: audio seconds per second of one core (target ≥ 50×).",
  );
  return results;
}

function argValue(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const args = process.argv.slice(2);
  const dir = args.find((a, i) => !a.startsWith("--") && !(args[i - 1] ?? "").startsWith("--"));
  await runIngestAnalysisBench({
    files: argValue(args, "--files"),
    minutes: argValue(args, "--minutes"),
    repeat: argValue(args, "--repeat"),
    dir,
  });
}
