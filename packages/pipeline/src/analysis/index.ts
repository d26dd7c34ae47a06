/** Audio analysis for the transform step: tags, format, features, cover thumbnails, genres. */
export * from "./types";
export { analyseAudio, SILENT_WARNING, type AnalyseOptions } from "./analyse";
export { TITLE_FROM_FILE_NAME_WARNING, titleFromFileName } from "./tags";
export { SUPPORTED_FORMATS_TEXT } from "./formats";
export {
  makeThumbnails,
  CORRUPT_COVER_WARNING,
  THUMBNAIL_SIZES,
  type Thumbnail,
  type ThumbnailSize,
} from "./thumbnails";
export {
  createGenreModel,
  expectedCalibrationError,
  genreModelFrom,
  trainGenreModel,
  type GenreExample,
  type GenreFeatures,
  type GenreModel,
  type GenreModelOptions,
  type GenreModelParams,
  type GenrePrediction,
} from "./genre-model";
export { GENRE_REFERENCE, REFERENCE_EXAMPLES, type GenreReferenceEntry } from "./genre-reference";
export { TIMBRE_NAMES, timbreFeatures, type TimbreFeatures } from "./timbre";
export { normaliseGenre, ID3V1_GENRES, type KnownGenre } from "./genre-normalise";
export { decodeToMono, type DecodedAudio } from "./decode";
export { computeFeatures } from "./features";
export { encodeWav } from "./wav";
export { clickTrack, musicLike, chord, whiteNoise, squareWave } from "./synth";
