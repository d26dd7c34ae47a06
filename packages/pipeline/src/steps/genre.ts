import {
  countGenreCatalogExamples,
  genreCatalogExamples,
  latestGenreModel,
  saveGenreModel,
} from "@jonquils/core/genre/model-store";
// By file, not the analysis index: the aggregate Lambda must not bundle the audio decoders.
import {
  CURRENT_MODEL_KIND,
  genreModelFrom,
  trainGenreModel,
  type GenreExample,
  type GenreFeatures,
  type GenreModel,
  type GenreModelParams,
  type GenrePrediction,
} from "../analysis/genre-model";
import {
  REFERENCE_EXAMPLES,
  REFERENCE_MODEL_PREFIX,
  SHIPPED_REFERENCE_MODEL,
} from "../analysis/genre-reference";
import type { TimbreFeatures } from "../analysis/timbre";
import type { PipelineDeps } from "./deps";

/**
 * The genre model the pipeline predicts with. It is trained on the shipped reference set
 * (`analysis/genre-reference.json`: features of freely licensed recordings, by Debian
 * package/version/path) plus the catalog's tagged tracks, and it changes only when the
 * aggregate step retrains it — so an untagged file gets the same answer whether it was
 * imported before or after a tagged album. Each prediction carries the model's version.
 */

/** Catalog examples at most (the newest). */
export const CATALOG_LIMIT = 5000;
/** Retrain when the learnable catalog grew by this many tracks AND by this share. */
export const MIN_GROWTH = 50;
export const MIN_GROWTH_SHARE = 0.25;

let referenceModel: GenreModel | null = null;
/** The model of the reference set alone: what a catalog without a trained model uses. */
export function referenceGenreModel(): GenreModel {
  // The shipped parameters when they are of the current kind, else trained here (seconds).
  referenceModel ??= genreModelFrom(
    SHIPPED_REFERENCE_MODEL?.kind === CURRENT_MODEL_KIND
      ? SHIPPED_REFERENCE_MODEL
      : trainGenreModel(REFERENCE_EXAMPLES, { prefix: REFERENCE_MODEL_PREFIX })!,
  );
  return referenceModel;
}

/** Whether the catalog grew enough since the last training to train again. */
export function grownMeaningfully(trainedOn: number, now: number): boolean {
  return now - trainedOn >= Math.max(MIN_GROWTH, Math.ceil(trainedOn * MIN_GROWTH_SHARE));
}

const cache = new WeakMap<object, { at: number; model: GenreModel }>();
const CACHE_MS = 30_000;

/** The newest stored model, else the reference model (cached briefly per database). */
export async function currentGenreModel(deps: Pick<PipelineDeps, "db">): Promise<GenreModel> {
  const hit = cache.get(deps.db);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.model;
  const stored = await latestGenreModel(deps.db);
  const model = stored ? genreModelFrom(stored.params as GenreModelParams) : referenceGenreModel();
  cache.set(deps.db, { at: Date.now(), model });
  return model;
}

export async function predictGenre(
  deps: Pick<PipelineDeps, "db">,
  features: GenreFeatures,
): Promise<GenrePrediction | null> {
  return (await currentGenreModel(deps)).predict(features);
}

/**
 * Called by the aggregate step: trains a new model on reference + catalog when the
 * catalog's tagged tracks have grown meaningfully since the current model, or when the
 * stored model is of an older kind (e.g. a six-feature `softmax-v1` model from before the
 * timbre descriptors: it still predicts, through genreModelFrom, until it is replaced).
 * Returns the new version, or null when nothing changed.
 */
export async function retrainGenreModelIfGrown(
  deps: Pick<PipelineDeps, "db" | "compute">,
): Promise<string | null> {
  const now = await countGenreCatalogExamples(deps.db);
  const stored = await latestGenreModel(deps.db);
  const outdated =
    stored !== null && (stored.params as GenreModelParams).kind !== CURRENT_MODEL_KIND;
  if (!outdated && !grownMeaningfully(stored?.catalogExamples ?? 0, now)) return null;
  // Catalog rows analysed before the timbre descriptors (tracks.timbre null) or with another
  // descriptor version are kept: the model imputes their timbre with the mean (it then
  // learns only the base features from them; see genre-model.ts).
  const catalog: GenreExample[] = (await genreCatalogExamples(deps.db, CATALOG_LIMIT)).map((e) => ({
    genreSlug: e.genreSlug,
    features: { ...e.features, timbre: e.features.timbre as TimbreFeatures | null },
  }));
  // On a pool worker where there is one (local: never on the API's event loop); inline in a
  // Lambda (compute/port.ts is not imported here: it would bring the audio decoders along).
  const examples = [...REFERENCE_EXAMPLES, ...catalog];
  const params = deps.compute ? await deps.compute.trainGenre(examples) : trainGenreModel(examples);
  if (!params || params.version === stored?.version) return null;
  await saveGenreModel(deps.db, {
    version: params.version,
    params,
    examples: params.examples,
    catalogExamples: catalog.length,
  });
  cache.delete(deps.db);
  return params.version;
}
