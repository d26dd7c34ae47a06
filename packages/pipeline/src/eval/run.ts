/**
 * `npm run eval:analysis` — analyses real recordings from Debian packages (see
 * manifest.json and material.ts) plus synthetic click tracks and drum loops, and prints
 * tempo Acc1/Acc2 per style, loudness error against ffmpeg's ebur128, energy sanity
 * checks and analysis speed (× real time, one core).
 *
 *   npm run eval:analysis                # everything (first run downloads ~1.5 GB of .debs)
 *   npm run eval:analysis -- --every 3   # every third recording (quicker)
 *   npm run eval:analysis -- --genre-only [--write-genre-reference]
 *                                        # genre section from the last run's features.json
 *   npm run eval:analysis -- --skip-references
 *                                        # no tempo/loudness references (aubio, bpm-tools,
 *                                        # soundstretch, ffmpeg ebur128): features, speed and
 *                                        # genre only, on a machine without the cached refs
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { analyseAudio } from "../analysis/analyse";
import { clickTrack, drumLoop } from "../analysis/synth";
import type { TimbreFeatures } from "../analysis/timbre";
import { encodeWav } from "../analysis/wav";
import { fnv1a, genreReport, writeGenreReference } from "./genre";
import {
  audioPath,
  EVAL_CACHE,
  fetchMaterial,
  loadManifest,
  references,
  tempoReference,
  type References,
} from "./material";

const args = process.argv.slice(2);
const every = Number(args[args.indexOf("--every") + 1] ?? 1) || 1;

interface Row {
  id: string;
  style: string;
  seconds: number;
  cpuSeconds: number;
  tempo: number | null;
  confidence: number | null;
  reason: string | null;
  refTempo: number | null;
  strict: boolean;
  /** The three reference estimators' own readings (null for synthetic material). */
  estimators?: { aubio: number | null; bpmTools: number | null; soundstretch: number | null };
  lufs: number;
  refLufs: number | null;
  truePeak: number | null;
  refTruePeak: number | null;
  energy: number;
  onsetDensity: number;
  valence: number;
  /** Timbre/harmony descriptors (features.timbre), null when none. */
  timbre?: TimbreFeatures | null;
  /** Manifest genre (the genre model's label), null for mixed soundtracks and synthetic material. */
  genre: string | null;
  ref: { package: string; version: string; path: string } | null;
}

const within = (a: number, b: number, tol = 0.04) => Math.abs(a / b - 1) <= tol;
const acc2 = (a: number, b: number) => [1, 2, 0.5, 3, 1 / 3].some((k) => within(a, b * k));
const pct = (n: number, d: number) => (d === 0 ? "  n/a" : `${((100 * n) / d).toFixed(1)}%`);

function pearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

async function analyse(bytes: Uint8Array, filename: string) {
  const start = process.cpuUsage();
  const result = await analyseAudio(bytes, { filename, analyse: true });
  const used = process.cpuUsage(start);
  return { result, cpuSeconds: (used.user + used.system) / 1e6 };
}

const REFERENCE_FILE = new URL("../analysis/genre-reference.json", import.meta.url);

/** `--genre-only`: the genre section from the features the last full run measured. */
function genreOnly() {
  const file = join(EVAL_CACHE, "features.json");
  if (!existsSync(file)) throw new Error(`${file} is missing: run the full evaluation first`);
  const rows = JSON.parse(readFileSync(file, "utf8")) as Row[];
  if (args.includes("--write-genre-reference"))
    console.log(`reference set: ${writeGenreReference(rows, REFERENCE_FILE)} recordings written`);
  console.log(genreReport(rows).join("\n"));
}

async function main() {
  if (args.includes("--genre-only")) return genreOnly();
  const manifest = loadManifest().filter((_, i) => i % every === 0);
  await fetchMaterial(manifest);
  const refs = args.includes("--skip-references")
    ? new Map<string, References>()
    : await references(manifest);
  const rows: Row[] = [];
  let n = 0;
  for (const e of manifest) {
    const r = refs.get(e.id);
    const bytes = new Uint8Array(readFileSync(audioPath(e)));
    const { result, cpuSeconds } = await analyse(bytes, e.path);
    const f = result.features;
    const ref = r ? tempoReference(r) : null;
    rows.push({
      id: e.id,
      style: e.style,
      seconds: result.format.durationMs / 1000,
      cpuSeconds,
      tempo: f?.tempo ?? null,
      confidence: f?.tempoConfidence ?? null,
      reason: f?.tempoReason ?? null,
      refTempo: ref?.bpm ?? null,
      strict: ref?.strict ?? false,
      estimators: r
        ? { aubio: r.aubio, bpmTools: r.bpmTools, soundstretch: r.soundstretch }
        : undefined,
      lufs: f?.loudness ?? -100,
      refLufs: r?.lufs ?? null,
      truePeak: f?.truePeakDb ?? null,
      refTruePeak: r?.truePeakDb ?? null,
      energy: f?.energy ?? 0,
      onsetDensity: f?.onsetDensity ?? 0,
      valence: f?.valence ?? 0.5,
      timbre: f?.timbre ?? null,
      genre: e.genre,
      ref: { package: e.package, version: e.version, path: e.path },
    });
    if (++n % 20 === 0) console.error(`  analysed ${n}/${manifest.length}`);
  }
  // Synthetic material at known tempos.
  const SR = 44_100;
  for (const bpm of [60, 72, 90, 100, 120, 128, 140, 160, 174, 180]) {
    for (const [style, signal] of [
      ["click", clickTrack({ bpm, seconds: 30, sampleRate: SR, accents: true, pad: true })],
      ["drum-loop", drumLoop({ bpm, seconds: 30, sampleRate: SR })],
    ] as const) {
      const { result, cpuSeconds } = await analyse(encodeWav([signal], SR), `${style}.wav`);
      rows.push({
        id: `${style}-${bpm}`,
        style: `synthetic-${style}`,
        seconds: 30,
        cpuSeconds,
        tempo: result.features?.tempo ?? null,
        confidence: result.features?.tempoConfidence ?? null,
        reason: result.features?.tempoReason ?? null,
        refTempo: bpm,
        strict: true,
        lufs: result.features?.loudness ?? -100,
        refLufs: null,
        truePeak: null,
        refTruePeak: null,
        energy: result.features?.energy ?? 0,
        onsetDensity: result.features?.onsetDensity ?? 0,
        valence: result.features?.valence ?? 0.5,
        genre: null,
        ref: null,
      });
    }
  }

  // The measured features, for inspection and for rebuilding the genre reference set.
  writeFileSync(join(EVAL_CACHE, "features.json"), JSON.stringify(rows, null, 1));

  const out: string[] = [];
  out.push(`recordings: ${rows.filter((r) => !r.style.startsWith("synthetic")).length}`);
  out.push("");
  out.push("TEMPO (Acc1: within 4 % of a reference where ≥ 2 estimators agree unfolded;");
  out.push("       Acc2: also ×2, ×½, ×3, ×⅓; over all agreeing references;");
  out.push("       a recording with a reference that JONQUILS gives no tempo counts as a miss)");
  out.push("style                 n(ref)  Acc1          Acc2          no tempo  click ≤1 %");
  const styles = [...new Set(rows.map((r) => r.style))];
  let t1 = 0;
  let t1n = 0;
  let t2 = 0;
  let t2n = 0;
  for (const style of styles) {
    const rs = rows.filter((r) => r.style === style);
    const withRef = rs.filter((r) => r.refTempo !== null);
    const strict = withRef.filter((r) => r.strict);
    const a1 = strict.filter((r) => r.tempo !== null && within(r.tempo, r.refTempo!)).length;
    const a2 = withRef.filter((r) => r.tempo !== null && acc2(r.tempo, r.refTempo!)).length;
    const exact = rs.filter(
      (r) => r.tempo !== null && r.refTempo !== null && within(r.tempo, r.refTempo, 0.01),
    ).length;
    if (!style.startsWith("synthetic")) {
      t1 += a1;
      t1n += strict.length;
      t2 += a2;
      t2n += withRef.length;
    }
    out.push(
      `${style.padEnd(22)}${String(withRef.length).padStart(6)}  ${`${pct(a1, strict.length)} (${a1}/${strict.length})`.padEnd(14)}${`${pct(a2, withRef.length)} (${a2}/${withRef.length})`.padEnd(14)}${String(rs.filter((r) => r.tempo === null).length).padStart(8)}  ${style.startsWith("synthetic") ? pct(exact, rs.length) : ""}`,
    );
  }
  out.push(
    `${"ALL recordings".padEnd(22)}${String(t2n).padStart(6)}  ${`${pct(t1, t1n)} (${t1}/${t1n})`.padEnd(14)}${pct(t2, t2n)} (${t2}/${t2n})`,
  );
  // The same figures on two fixed halves of the recordings (FNV-1a of the id, even/odd),
  // and on the references all three estimators agree on (octave-folded).
  const realRef = rows.filter((r) => r.refTempo !== null && !r.style.startsWith("synthetic"));
  const accOf = (rs: Row[]) => {
    const strict = rs.filter((r) => r.strict);
    const a1 = strict.filter((r) => r.tempo !== null && within(r.tempo, r.refTempo!)).length;
    const a2 = rs.filter((r) => r.tempo !== null && acc2(r.tempo, r.refTempo!)).length;
    return `Acc1 ${pct(a1, strict.length)} (${a1}/${strict.length})  Acc2 ${pct(a2, rs.length)} (${a2}/${rs.length})`;
  };
  for (const half of [0, 1])
    out.push(
      `  half ${half} (FNV-1a(id) % 2 = ${half}): ${accOf(realRef.filter((r) => fnv1a(r.id) % 2 === half))}`,
    );
  const readings = (r: Row) =>
    [r.estimators?.aubio, r.estimators?.bpmTools, r.estimators?.soundstretch].filter(
      (v): v is number => typeof v === "number",
    );
  const folded = (a: number, b: number) => [1, 2, 0.5, 4, 0.25].some((k) => within(a, b * k, 0.02));
  const unanimous = realRef.filter((r) => {
    const v = readings(r);
    return v.length === 3 && folded(v[1]!, v[0]!) && folded(v[2]!, v[0]!);
  });
  out.push(
    `  unanimous references (all three estimators agree, octave-folded): ${accOf(unanimous)}`,
  );
  // The same against each pair of estimators alone (the pair agrees within 2 %, octave-folded;
  // reference = the pair's mean, strict when they agree unfolded): how much the figure depends
  // on which estimator's metrical-level habits the majority reference inherits.
  const pairs = [
    ["aubio", "bpmTools"],
    ["aubio", "soundstretch"],
    ["bpmTools", "soundstretch"],
  ] as const;
  for (const [p, q] of pairs) {
    const rs = rows
      .filter((r) => !r.style.startsWith("synthetic"))
      .flatMap((r) => {
        const a = r.estimators?.[p];
        const b = r.estimators?.[q];
        if (typeof a !== "number" || typeof b !== "number" || !folded(a, b)) return [];
        const strict = within(a, b, 0.02);
        return [{ ...r, refTempo: strict ? (a + b) / 2 : a, strict }];
      });
    out.push(`  pair reference ${p} + ${q} (n=${rs.length}): ${accOf(rs)}`);
  }
  // Every miss, with what each estimator read: an estimate at 3:2 or 3:4 of the reference
  // that one of the three estimators also read (octave-folded) is a metrical-level
  // ambiguity the majority resolved the other way; an abstention counts as a miss.
  const misses = realRef.filter((r) => r.tempo === null || !acc2(r.tempo, r.refTempo!));
  const contested = misses.filter(
    (r) =>
      r.tempo !== null &&
      readings(r).some(
        (v) =>
          folded(r.tempo!, v) || within(r.tempo!, v * 3, 0.04) || within(r.tempo!, v / 3, 0.04),
      ),
  );
  out.push(
    `  misses: ${misses.length} (no tempo ${misses.filter((r) => r.tempo === null).length}; one estimator read the same level as JONQUILS: ${contested.length})`,
  );
  for (const r of misses)
    out.push(
      `    ${r.id} [${r.style}]: ${r.tempo ?? "no tempo"} vs ${r.refTempo!.toFixed(1)}${r.strict ? "" : " (folded)"}${r.tempo ? ` ratio ${(r.tempo / r.refTempo!).toFixed(3)}` : ""}; aubio ${r.estimators?.aubio ?? "-"}, bpm-tools ${r.estimators?.bpmTools ?? "-"}, soundstretch ${r.estimators?.soundstretch ?? "-"}${contested.includes(r) ? "  ← one estimator agrees with JONQUILS" : ""}`,
    );
  const confOk = rows.filter(
    (r) => r.refTempo !== null && r.tempo !== null && !r.style.startsWith("synthetic"),
  );
  const meanConf = (xs: Row[]) =>
    (xs.reduce((a, r) => a + (r.confidence ?? 0), 0) / Math.max(1, xs.length)).toFixed(2);
  out.push(
    `mean tempo confidence: Acc2-correct ${meanConf(confOk.filter((r) => acc2(r.tempo!, r.refTempo!)))}, wrong ${meanConf(confOk.filter((r) => !acc2(r.tempo!, r.refTempo!)))}`,
  );
  const reasons = rows.filter((r) => r.tempo === null).map((r) => `${r.id}: ${r.reason}`);
  if (reasons.length) out.push(`no tempo: ${reasons.join("; ")}`);

  out.push("");
  const lr = rows.filter((r) => r.refLufs !== null);
  const errs = lr.map((r) => r.lufs - r.refLufs!);
  const abs = errs.map(Math.abs);
  out.push("LOUDNESS vs ffmpeg ebur128 (integrated, LUFS)");
  out.push(
    `n=${lr.length}  mean |error| ${(abs.reduce((a, b) => a + b, 0) / abs.length).toFixed(3)} LU  max ${Math.max(...abs).toFixed(2)} LU  within 0.5 LU: ${pct(abs.filter((e) => e <= 0.5).length, abs.length)}  bias ${(errs.reduce((a, b) => a + b, 0) / errs.length).toFixed(3)} LU`,
  );
  const tp = rows.filter((r) => r.refTruePeak !== null && r.truePeak !== null);
  const tpAbs = tp.map((r) => Math.abs(r.truePeak! - r.refTruePeak!));
  out.push(
    `true peak: n=${tp.length}  mean |error| ${(tpAbs.reduce((a, b) => a + b, 0) / Math.max(1, tpAbs.length)).toFixed(2)} dB  max ${Math.max(0, ...tpAbs).toFixed(2)} dB`,
  );

  out.push("");
  const real = rows.filter((r) => !r.style.startsWith("synthetic"));
  const r = (a: (x: Row) => number, b: (x: Row) => number) =>
    pearson(real.map(a), real.map(b)).toFixed(3);
  out.push(`ENERGY sanity (n=${real.length}; energy = 0.65·level + 0.35·onset activity):`);
  out.push(
    `  Pearson r(energy, integrated LUFS)       = ${r(
      (x) => x.energy,
      (x) => x.lufs,
    )}`,
  );
  out.push(
    `  Pearson r(energy, onset density)         = ${r(
      (x) => x.energy,
      (x) => x.onsetDensity,
    )}`,
  );
  out.push(
    `  Pearson r(LUFS, onset density)           = ${r(
      (x) => x.lufs,
      (x) => x.onsetDensity,
    )}`,
  );
  for (const style of styles.filter((st) => !st.startsWith("synthetic"))) {
    const rs = real.filter((x) => x.style === style);
    const mean = (f: (x: Row) => number) => rs.reduce((a, x) => a + f(x), 0) / rs.length;
    out.push(
      `  ${style.padEnd(12)} mean energy ${mean((x) => x.energy).toFixed(2)}  LUFS ${mean((x) => x.lufs).toFixed(1)}  onsets/s ${mean((x) => x.onsetDensity).toFixed(2)}  valence ${mean((x) => x.valence).toFixed(2)} (heuristic)`,
    );
  }
  out.push("");
  const secs = real.reduce((a, r) => a + r.seconds, 0);
  const cpu = real.reduce((a, r) => a + r.cpuSeconds, 0);
  out.push(
    `SPEED: ${(secs / 60).toFixed(1)} min of audio analysed in ${cpu.toFixed(1)} CPU s = ${(secs / cpu).toFixed(1)}× real time per core (decode + all features)`,
  );
  out.push("");
  if (args.includes("--write-genre-reference") && every === 1)
    out.push(`reference set: ${writeGenreReference(rows, REFERENCE_FILE)} recordings written`);
  out.push(...genreReport(rows));
  console.log(out.join("\n"));
}

await main();
