/**
 * Genre model evaluation on the evaluation set, and the shipped reference set built from it.
 *
 * Split: three folds stratified by genre (see foldsOf); fold 0 is HELD OUT, the other two thirds are the reference set shipped with the pipeline
 * (`analysis/genre-reference.json`: package, version, path, genre and measured features, no
 * audio). The model is trained on the reference split and measured on the held-out split:
 * accuracy of its best guess, expected calibration error (10 bins, top-label confidence),
 * how often it abstains and how accurate it is when it answers. Held-out recordings come
 * from the same soundtracks as reference ones (an optimistic split); a leave-one-package-out
 * figure is printed beside it for the styles that have two packages.
 */
import { writeFileSync } from "node:fs";
import {
  expectedCalibrationError,
  genreModelFrom,
  trainGenreModel,
  type GenreExample,
  type GenreFeatures,
} from "../analysis/genre-model";
import { REFERENCE_MODEL_PREFIX } from "../analysis/genre-reference";
import { seededRandom } from "../analysis/synth";
import type { TimbreFeatures } from "../analysis/timbre";

export interface GenreRow {
  id: string;
  genre: string | null;
  ref: { package: string; version: string; path: string } | null;
  tempo: number | null;
  confidence: number | null;
  energy: number;
  valence: number;
  lufs: number;
  truePeak: number | null;
  timbre?: TimbreFeatures | null;
}

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Folds 0–2, stratified by genre: within each genre the recordings are ordered by FNV-1a of
 * their id and dealt out 0, 1, 2, 0, 1, 2, … (fixed, independent of any result). Fold 0 is
 * the held-out split; folds 1 and 2 are the shipped reference set.
 */
export function foldsOf(rows: readonly GenreRow[]): Map<string, number> {
  const folds = new Map<string, number>();
  for (const genre of new Set(rows.map((r) => r.genre))) {
    if (genre === null) continue;
    rows
      .filter((r) => r.genre === genre)
      .map((r) => r.id)
      .sort((a, b) => fnv1a(a) - fnv1a(b) || (a < b ? -1 : 1))
      .forEach((id, i) => folds.set(id, i % 3));
  }
  return folds;
}

const featuresOf = (r: GenreRow): GenreFeatures => ({
  tempo: r.tempo,
  tempoConfidence: r.confidence,
  energy: r.energy,
  valence: r.valence,
  loudness: r.lufs,
  truePeakDb: r.truePeak,
  timbre: r.timbre ?? null,
});

const example = (r: GenreRow): GenreExample => ({ genreSlug: r.genre!, features: featuresOf(r) });

function measure(train: GenreRow[], test: GenreRow[]) {
  const params = trainGenreModel(train.map(example));
  if (!params) return null;
  const model = genreModelFrom(params);
  const preds = test.flatMap((r) => {
    const p = model.predict(featuresOf(r));
    return p ? [{ ...p, truth: r.genre!, correct: p.bestGuess === r.genre }] : [];
  });
  const answered = preds.filter((p) => p.genreSlug !== null);
  return {
    params,
    n: preds.length,
    accuracy: preds.filter((p) => p.correct).length / Math.max(1, preds.length),
    ece: expectedCalibrationError(preds),
    answered: answered.length,
    answeredAccuracy:
      answered.filter((p) => p.genreSlug === p.truth).length / Math.max(1, answered.length),
    meanConfidence: preds.reduce((a, p) => a + p.confidence, 0) / Math.max(1, preds.length),
    confidences: preds.map((p) => p.confidence),
  };
}

/**
 * The ECE a PERFECTLY calibrated model would still show on these confidences, from sampling
 * alone: each prediction is right with probability equal to its confidence (seeded, 2000
 * draws); mean and 95th percentile. With 32 predictions in 10 bins this is far from 0.
 */
export function eceNoiseFloor(confidences: readonly number[]): { mean: number; p95: number } {
  const random = seededRandom(2026);
  const draws: number[] = [];
  for (let k = 0; k < 2000; k++)
    draws.push(
      expectedCalibrationError(confidences.map((c) => ({ confidence: c, correct: random() < c }))),
    );
  draws.sort((a, b) => a - b);
  return {
    mean: draws.reduce((a, b) => a + b, 0) / draws.length,
    p95: draws[Math.floor(0.95 * draws.length)]!,
  };
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export function genreReport(rows: readonly GenreRow[]): string[] {
  const labelled = rows.filter((r) => r.genre !== null && r.ref !== null);
  const folds = foldsOf(labelled);
  const foldOf = (id: string) => folds.get(id) ?? 0;
  const train = labelled.filter((r) => foldOf(r.id) !== 0);
  const test = labelled.filter((r) => foldOf(r.id) === 0);
  const out: string[] = [];
  out.push(
    "GENRE model (softmax regression on base + timbre features, temperature-calibrated; abstains below its threshold)",
  );
  const m = measure(train, test);
  if (!m) {
    out.push("  not enough labelled recordings to train");
    return out;
  }
  const counts = (rs: GenreRow[]) =>
    [...new Set(rs.map((r) => r.genre!))]
      .sort()
      .map((g) => `${g} ${rs.filter((r) => r.genre === g).length}`)
      .join(", ");
  out.push(`  reference (train) split: ${train.length} (${counts(train)})`);
  out.push(`  held-out split:          ${test.length} (${counts(test)})`);
  out.push(
    `  model ${m.params.version}: temperature ${m.params.temperature}, threshold ${m.params.threshold}${m.params.kind === "softmax-v2" ? `; chosen by ${m.params.selection.folds}-fold CV on the reference split among ${m.params.selection.candidates} candidates: ${m.params.components.length} timbre components, λ ${m.params.l2} (out-of-fold NLL ${m.params.selection.nll})` : ""}`,
  );
  out.push(
    `  held-out: best-guess accuracy ${pct(m.accuracy)}, mean confidence ${m.meanConfidence.toFixed(3)}, ECE ${m.ece.toFixed(3)} (10 bins)`,
  );
  out.push(
    `  answered ${m.answered}/${m.n} (abstained ${m.n - m.answered}); accuracy when answering ${pct(m.answeredAccuracy)}`,
  );
  const floor = eceNoiseFloor(m.confidences);
  out.push(
    `  sampling noise: a perfectly calibrated model with these ${m.n} confidences would show ECE ${floor.mean.toFixed(3)} on average (95th percentile ${floor.p95.toFixed(3)})`,
  );
  // All three folds in turn (each predicted by a model trained on the other two), pooled:
  // every labelled recording is predicted once, by a model that never saw it.
  const pooled: { confidence: number; correct: boolean; answered: boolean; right: boolean }[] = [];
  for (let fold = 0; fold < 3; fold++) {
    const params = trainGenreModel(labelled.filter((r) => foldOf(r.id) !== fold).map(example));
    if (!params) continue;
    const model = genreModelFrom(params);
    for (const r of labelled.filter((x) => foldOf(x.id) === fold)) {
      const p = model.predict(featuresOf(r));
      if (p)
        pooled.push({
          confidence: p.confidence,
          correct: p.bestGuess === r.genre,
          answered: p.genreSlug !== null,
          right: p.genreSlug === r.genre,
        });
    }
  }
  const pa = pooled.filter((p) => p.answered);
  const pooledFloor = eceNoiseFloor(pooled.map((p) => p.confidence));
  out.push(
    `  3-fold, pooled (n=${pooled.length}): best-guess accuracy ${pct(pooled.filter((p) => p.correct).length / Math.max(1, pooled.length))}, ECE ${expectedCalibrationError(pooled).toFixed(3)}; answered ${pa.length}, accuracy when answering ${pct(pa.filter((p) => p.right).length / Math.max(1, pa.length))}; sampling noise ECE ${pooledFloor.mean.toFixed(3)} (95th percentile ${pooledFloor.p95.toFixed(3)})`,
  );
  // Leave one package out (styles with two or more packages keep the other one for training).
  const packages = [...new Set(labelled.map((r) => r.ref!.package))].sort();
  const lopo: { pkg: string; n: number; acc: number; ece: number; answered: number }[] = [];
  for (const pkg of packages) {
    const genre = labelled.find((r) => r.ref!.package === pkg)!.genre;
    const others = labelled.filter((r) => r.ref!.package !== pkg);
    if (!others.some((r) => r.genre === genre)) continue;
    const res = measure(
      others,
      labelled.filter((r) => r.ref!.package === pkg),
    );
    if (res) lopo.push({ pkg, n: res.n, acc: res.accuracy, ece: res.ece, answered: res.answered });
  }
  for (const l of lopo)
    out.push(
      `  leave-one-package-out ${l.pkg}: n=${l.n} best-guess accuracy ${pct(l.acc)}, ECE ${l.ece.toFixed(3)}, answered ${l.answered}`,
    );
  return out;
}

/** Writes the reference split's features (no audio) as the shipped reference set. */
export function writeGenreReference(rows: readonly GenreRow[], file: URL): number {
  const labelled = rows.filter((r) => r.genre !== null && r.ref !== null);
  const folds = foldsOf(labelled);
  const entries = labelled
    .filter((r) => folds.get(r.id) !== 0)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((r) => ({
      package: r.ref!.package,
      version: r.ref!.version,
      path: r.ref!.path,
      genre: r.genre!,
      features: featuresOf(r),
    }));
  const data = {
    about:
      "Genre model reference set: audio features (as JONQUILS measures them) of freely licensed recordings shipped in Debian 12 main, by package/version/path; the audio is not in the repository. Genre: the file's own GENRE tag when it names one (e.g. openclonk's Rock, widelands' Thrash Metal → rock), else the style of its soundtrack (eval/manifest.json). Rebuilt by `npm run eval:analysis -- --write-genre-reference`; the held-out third (fold 0 of eval/genre.ts, stratified by genre) is left out for evaluation.",
    entries,
    // The reference-only model, trained here once so the pipeline does not retrain it in
    // every process (analysis/genre-reference.test.ts checks it equals a fresh training).
    model: trainGenreModel(
      entries.map((e) => ({ genreSlug: e.genre, features: e.features })),
      { prefix: REFERENCE_MODEL_PREFIX },
    ),
  };
  // Prettier keeps short number arrays on one line; `npx prettier --write` the file after.
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return entries.length;
}
