import { audioKeyFor, getUploadRow, stageUpload } from "@jonquils/core/upload/lifecycle";
import { cleanText } from "@jonquils/core/util/text";
import { genreNames } from "@jonquils/core/genre/index";
import { normaliseGenre, UnreadableAudioError } from "../analysis/index";
import { inlineCompute, WorkerCrashError } from "../compute/port";
import { NotProcessableError, type JobRef, type PipelineDeps } from "./deps";
import { predictGenre } from "./genre";
import type { StagedTrack } from "./staged";

/**
 * Reads the object, analyses it and stages the result on the upload row. Throws
 * UnreadableAudioError (no retry) for files that are not usable audio.
 */
export async function transform(deps: PipelineDeps, job: JobRef): Promise<StagedTrack> {
  const { db, objects } = deps;
  const upload = await getUploadRow(db, job.uploadId);
  if (!upload) throw new NotProcessableError("the upload record is gone");
  const bytes = await objects.get("tracks", job.key);
  // Replay check, audio gate, decode, features and thumbnails: on a worker thread locally
  // (deps.compute), inline on Lambda. An S3 multipart ETag is no MD5: nothing to compare.
  const examined = await (deps.compute ?? inlineCompute)
    .examine({
      bytes,
      filename: upload.originalFilename,
      analyse: deps.analyseAudio,
      expectedMd5: upload.objectEtag && !upload.objectEtag.includes("-") ? upload.objectEtag : null,
    })
    .catch((error: unknown) => {
      // A worker that died on this file would die again: final, with the reason in words.
      if (error instanceof WorkerCrashError) throw new NotProcessableError(error.message);
      throw error;
    });
  if (!examined.ok) {
    if (examined.error === "UnreadableAudioError") throw new UnreadableAudioError(examined.reason);
    throw new NotProcessableError(examined.reason);
  }
  const { analysis } = examined;
  const verdict = examined;
  const warnings = [...analysis.warnings];
  if (verdict.renamed) warnings.push(verdict.renamed);

  const known = await genreNames(db);
  let genre: StagedTrack["genre"] = null;
  for (const raw of analysis.tags.genres) {
    const slug = normaliseGenre(raw, known);
    if (slug) {
      genre = { slug, source: "tag", confidence: null };
      break;
    }
  }
  if (!genre && analysis.tags.genres.length > 0)
    warnings.push(`genre "${analysis.tags.genres.join(", ")}" is not in the genre list`);
  // Silence has no genre to guess. The model abstains (no genre, a reason) when unsure.
  let genreAbstain: StagedTrack["genreAbstain"] = null;
  if (!genre && analysis.features && !analysis.features.silent) {
    const predicted = await predictGenre(deps, analysis.features);
    if (predicted?.genreSlug)
      genre = {
        slug: predicted.genreSlug,
        source: "predicted",
        confidence: predicted.confidence,
        modelVersion: predicted.modelVersion,
      };
    else if (predicted?.abstainReason)
      genreAbstain = { modelVersion: predicted.modelVersion, reason: predicted.abstainReason };
  }

  const thumbnails: StagedTrack["thumbnails"] = {};
  if (examined.coverUnreadable) warnings.push("the embedded cover image could not be read");
  for (const thumb of examined.thumbnails) {
    const key = `uploads/${job.uploadId}/cover-${thumb.size}.webp`;
    await objects.put("covers", key, thumb.webp, "image/webp");
    thumbnails[thumb.size] = key;
  }

  // The track plays this verified copy, a key no signed form can target.
  const audioKey = audioKeyFor(job.key);
  await objects.put("tracks", audioKey, bytes, verdict.contentType);

  const clean = (v: string | null) => (v && cleanText(v) ? cleanText(v) : null);
  const staged: StagedTrack = {
    title: clean(analysis.tags.title) ?? "Untitled",
    artistName: clean(analysis.tags.artist) ?? clean(analysis.tags.albumArtist),
    albumArtistName: albumArtistOf(
      clean(analysis.tags.albumArtist),
      clean(analysis.tags.artist),
      analysis.tags.compilation === true,
    ),
    albumTitle: clean(analysis.tags.album),
    tags: analysis.tags,
    format: analysis.format,
    features: analysis.features,
    genre,
    genreAbstain,
    thumbnails,
    audioKey,
  };
  await stageUpload(db, job.uploadId, staged, warnings, verdict.format);
  return staged;
}

/** Spellings of a compilation's album artist, filed under one name. */
const VARIOUS = new Set([
  "various artists",
  "various",
  "va",
  "v.a.",
  "v/a",
  "diverse",
  "various artist",
]);
export const VARIOUS_ARTISTS = "Various Artists";

/**
 * The album artist an album is filed under: the tagged one (Various Artists spelled one way); for
 * a file flagged as a compilation with no album artist of its own (none, or its track artist),
 * Various Artists — so the tracks of one compilation make one album.
 */
function albumArtistOf(
  tagged: string | null,
  trackArtist: string | null,
  compilation: boolean,
): string | null {
  if (compilation && (!tagged || tagged === trackArtist)) return VARIOUS_ARTISTS;
  if (!tagged) return null;
  return VARIOUS.has(tagged.toLowerCase()) ? VARIOUS_ARTISTS : tagged;
}
