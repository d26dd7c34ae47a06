import reference from "./genre-reference.json";
import type { GenreExample, GenreFeatures } from "./genre-model";

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
 * `npm run eval:analysis -- --write-genre-reference`.
 */
export const GENRE_REFERENCE: readonly GenreReferenceEntry[] = (
  reference as { entries: GenreReferenceEntry[] }
).entries;

export const REFERENCE_EXAMPLES: readonly GenreExample[] = GENRE_REFERENCE.map((e) => ({
  genreSlug: e.genre,
  features: e.features,
}));
