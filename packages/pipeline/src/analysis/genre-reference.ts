import reference from "./genre-reference.json";
import type { GenreExample, GenreFeatures, GenreModelParams } from "./genre-model";

/** One recording of the shipped reference set: where it comes from, its genre, its features. */
export interface GenreReferenceEntry {
  package: string;
  version: string;
  path: string;
  genre: string;
  features: GenreFeatures;
}

/**
 * The genre model's shipped reference set (`genre-reference.json`): features of freely
 * licensed recordings in Debian packages, by package/version/path (no audio), rebuilt by
 * `npm run eval:analysis -- --genre-only --write-genre-reference`.
 */
export const GENRE_REFERENCE: readonly GenreReferenceEntry[] = (
  reference as { entries: GenreReferenceEntry[] }
).entries;

export const REFERENCE_EXAMPLES: readonly GenreExample[] = GENRE_REFERENCE.map((e) => ({
  genreSlug: e.genre,
  features: e.features,
}));

/** Version prefix of the reference-only model. */
export const REFERENCE_MODEL_PREFIX = "genre-ref";

/**
 * The reference-only model as trained when the set was written (null in an older file):
 * exactly `trainGenreModel(REFERENCE_EXAMPLES, { prefix: REFERENCE_MODEL_PREFIX })`, shipped
 * so a process does not spend seconds training it (genre-reference.test.ts checks).
 */
export const SHIPPED_REFERENCE_MODEL: GenreModelParams | null =
  (reference as { model?: GenreModelParams | null }).model ?? null;
