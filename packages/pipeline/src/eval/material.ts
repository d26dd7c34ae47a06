/**
 * Evaluation material: real recordings from Debian packages (downloaded and extracted on
 * demand into EVAL_CACHE, never into the repo) and their references from independent
 * tools installed from Debian:
 *   tempo    — `aubio tempo` (aubio-tools), `bpm` (bpm-tools), `soundstretch -bpm`
 *              (soundstretch); a reference exists when ≥ 2 of them agree within 2 %;
 *   loudness — ffmpeg's `ebur128=peak=true` filter: integrated loudness (I:) and true peak.
 * Everything is cached per file under EVAL_CACHE/refs, so reruns only analyse.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const EVAL_CACHE = process.env.JONQUILS_EVAL_CACHE ?? "/var/tmp/jonquils-eval";
/** Packages kept out of every set of ours: they are reserved for an independent check. */
export const EXCLUDED_PACKAGES = [
  /^wesnoth-.*-music$/,
  /^asc-music$/,
  /^nexuiz-music$/,
  /^warzone2100-music$/,
];

export interface ManifestEntry {
  id: string;
  package: string;
  version: string;
  /** Path inside the package. */
  path: string;
  /**
   * Style: the file's own GENRE tag when it names one (styleSource "file tag"), else the
   * style of the soundtrack the file belongs to (see docs/analysis.md).
   */
  style: string;
  styleSource?: "file tag";
  /** Catalog genre slug used to train/evaluate the genre model, or null (mixed soundtracks). */
  genre: string | null;
}

export interface References {
  aubio: number | null;
  bpmTools: number | null;
  soundstretch: number | null;
  lufs: number | null;
  truePeakDb: number | null;
  seconds: number | null;
}

export function loadManifest(): ManifestEntry[] {
  const entries = JSON.parse(
    readFileSync(new URL("./manifest.json", import.meta.url), "utf8"),
  ) as ManifestEntry[];
  for (const e of entries) {
    if (EXCLUDED_PACKAGES.some((re) => re.test(e.package)))
      throw new Error(`${e.package} is reserved for an independent check`);
  }
  return entries;
}

const debDir = () => join(EVAL_CACHE, "debs");
const rootDir = () => join(EVAL_CACHE, "root");
export const audioPath = (e: ManifestEntry) => join(rootDir(), e.package, e.path);

function debFile(pkg: string, version: string): string | null {
  const v = version.replace(/^\d+:/, "");
  const name = readdirSync(debDir()).find(
    (f) =>
      f.startsWith(`${pkg}_`) && f.replace(/%3a/gi, ":").replace(/_\d+:/, "_").includes(`_${v}_`),
  );
  return name ? join(debDir(), name) : null;
}

/** Downloads the packages (apt-get download, pinned versions) and extracts the listed files. */
export async function fetchMaterial(entries: ManifestEntry[], log = console.log): Promise<void> {
  mkdirSync(debDir(), { recursive: true });
  const byPackage = new Map<string, ManifestEntry[]>();
  for (const e of entries) {
    if (existsSync(audioPath(e))) continue;
    byPackage.set(e.package, [...(byPackage.get(e.package) ?? []), e]);
  }
  for (const [pkg, files] of byPackage) {
    const version = files[0]!.version;
    let deb = debFile(pkg, version);
    if (!deb) {
      log(`downloading ${pkg}=${version}…`);
      await run("apt-get", ["download", `${pkg}=${version}`], {
        cwd: debDir(),
        maxBuffer: 1 << 24,
      });
      deb = debFile(pkg, version);
      if (!deb) throw new Error(`apt-get download ${pkg}=${version} left no .deb`);
    }
    const dest = join(rootDir(), pkg);
    mkdirSync(dest, { recursive: true });
    log(`extracting ${files.length} files from ${pkg}…`);
    await new Promise<void>((resolve, reject) => {
      const dpkg = spawn("dpkg-deb", ["--fsys-tarfile", deb], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const tar = spawn("tar", ["-x", "-C", dest, ...files.map((f) => `.${f.path}`)], {
        stdio: ["pipe", "inherit", "inherit"],
      });
      dpkg.stdout.pipe(tar.stdin);
      tar.on("error", reject);
      tar.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}`))));
    });
  }
}

const num = (m: RegExpMatchArray | null) => (m?.[1] !== undefined ? Number(m[1]) : null);

async function shell(command: string): Promise<string> {
  try {
    const { stdout, stderr } = await run("bash", ["-c", command], { maxBuffer: 1 << 26 });
    return `${stdout}\n${stderr}`;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}\n${e.stderr ?? ""}`;
  }
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the reference tools on one file (≈ 5–10 s of CPU for a 3-minute track). */
export async function computeReferences(file: string): Promise<References> {
  const tmp = join(EVAL_CACHE, `tmp-${process.pid}-${Math.random().toString(36).slice(2)}.wav`);
  const aubio = num((await shell(`aubio tempo ${q(file)}`)).match(/([\d.]+)\s*bpm/));
  const bpmTools = num(
    (await shell(`ffmpeg -v error -i ${q(file)} -ac 1 -ar 44100 -f f32le - | bpm`)).match(
      /^\s*([\d.]+)\s*$/m,
    ),
  );
  await shell(`ffmpeg -v error -y -i ${q(file)} -ac 2 -ar 44100 -c:a pcm_s16le ${q(tmp)}`);
  const soundstretch = num(
    (await shell(`soundstretch ${q(tmp)} -bpm; rm -f ${q(tmp)}`)).match(
      /Detected BPM rate ([\d.]+)/,
    ),
  );
  const r128 = await shell(
    `ffmpeg -nostats -hide_banner -i ${q(file)} -filter_complex ebur128=peak=true -f null -`,
  );
  const summary = r128.slice(r128.lastIndexOf("Summary:"));
  const seconds = r128.match(/time=(\d+):(\d+):([\d.]+)/g)?.pop();
  let duration: number | null = null;
  if (seconds) {
    const m = /time=(\d+):(\d+):([\d.]+)/.exec(seconds)!;
    duration = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  }
  return {
    aubio: aubio && aubio > 0 ? aubio : null,
    bpmTools: bpmTools && bpmTools > 0 ? bpmTools : null,
    soundstretch: soundstretch && soundstretch > 0 ? soundstretch : null,
    lufs: num(summary.match(/I:\s*(-?[\d.]+) LUFS/)),
    truePeakDb: num(summary.match(/Peak:\s*(-?[\d.]+) dBFS/)),
    seconds: duration,
  };
}

/** References for every entry, computed with `concurrency` workers and cached per file. */
export async function references(
  entries: ManifestEntry[],
  concurrency = 2,
  log = console.log,
): Promise<Map<string, References>> {
  const dir = join(EVAL_CACHE, "refs");
  mkdirSync(dir, { recursive: true });
  const out = new Map<string, References>();
  const todo: ManifestEntry[] = [];
  for (const e of entries) {
    const cached = join(dir, `${e.id.replace(/[^\w.-]+/g, "_")}.json`);
    if (existsSync(cached)) out.set(e.id, JSON.parse(readFileSync(cached, "utf8")) as References);
    else todo.push(e);
  }
  if (todo.length > 0) log(`computing references for ${todo.length} files (cached afterwards)…`);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < todo.length) {
        const e = todo[next++]!;
        const refs = await computeReferences(audioPath(e));
        writeFileSync(join(dir, `${e.id.replace(/[^\w.-]+/g, "_")}.json`), JSON.stringify(refs));
        out.set(e.id, refs);
        if (++done % 10 === 0) log(`  ${done}/${todo.length}`);
      }
    }),
  );
  return out;
}

/** Folds a tempo ratio into [1/√2, √2) by octaves. */
export function octaveFold(ratio: number): number {
  let r = ratio;
  while (r >= Math.SQRT2) r /= 2;
  while (r < Math.SQRT1_2) r *= 2;
  return r;
}

export interface TempoReference {
  bpm: number;
  /** true when two estimators agree without octave folding (usable for Acc1). */
  strict: boolean;
  agreeing: string[];
}

/**
 * The reference tempo: the mean of the largest group of estimators that agree within
 * `tolerance`. Agreement without folding is preferred; agreement only up to an octave
 * gives a non-strict reference (the octave is ambiguous), used for Acc2 only.
 */
export function tempoReference(r: References, tolerance = 0.02): TempoReference | null {
  const values = (
    [
      ["aubio", r.aubio],
      ["bpm-tools", r.bpmTools],
      ["soundstretch", r.soundstretch],
    ] as const
  ).filter((v): v is readonly [(typeof v)[0], number] => v[1] !== null);
  for (const strict of [true, false]) {
    let best: TempoReference | null = null;
    for (let i = 0; i < values.length; i++) {
      const [nameA, a] = values[i]!;
      const group = values.filter(([, b]) => {
        const ratio = strict ? b / a : octaveFold(b / a);
        return Math.abs(ratio - 1) <= tolerance;
      });
      if (group.length >= 2 && (!best || group.length > best.agreeing.length)) {
        const bpm = strict ? group.reduce((s, [, b]) => s + b, 0) / group.length : a; // folded agreement: the octave is ambiguous anyway
        best = { bpm, strict, agreeing: group.map(([n]) => n) };
        void nameA;
      }
    }
    if (best) return best;
  }
  return null;
}
