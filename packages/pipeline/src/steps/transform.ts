import { schema } from "@jonquils/core";
import { MIN_AUDIO_SECONDS, verifyAudio } from "@jonquils/core/upload/audio-verify";
import {
  audioKeyFor,
  getUploadRow,
  REPLAY_REASON,
  stageUpload,
} from "@jonquils/core/upload/lifecycle";
import { createHash } from "node:crypto";
import { cleanText } from "@jonquils/core/util/text";
import { analyseAudio, makeThumbnails, normaliseGenre } from "../analysis/index";
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
  // Single use: the bytes must be the object first announced for this upload (S3 lets a
  // signed form be posted again within its lifetime; that second object is refused).
  const md5 = createHash("md5").update(bytes).digest("hex");
  if (upload.objectEtag && !upload.objectEtag.includes("-") && upload.objectEtag !== md5)
    throw new NotProcessableError(REPLAY_REASON);
  // The gate: the bytes, not the name or the declared type, decide what the file is.
  const verdict = verifyAudio(bytes, { filename: upload.originalFilename });
  if (!verdict.ok) throw new NotProcessableError(verdict.reason);
  const analysis = await analyseAudio(bytes, {
    filename: upload.originalFilename,
    mimeType: verdict.contentType,
    analyse: deps.analyseAudio,
  });
  if (analysis.format.durationMs < MIN_AUDIO_SECONDS * 1000)
    throw new NotProcessableError(
      `only ${(analysis.format.durationMs / 1000).toFixed(2)} s of the file could be decoded; a track needs at least ${MIN_AUDIO_SECONDS} s`,
    );
  const warnings = [...analysis.warnings];
  if (verdict.renamed) warnings.push(verdict.renamed);

  const known = await db
    .select({ slug: schema.genres.slug, name: schema.genres.name })
    .from(schema.genres);
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
  if (analysis.cover) {
    const made = await makeThumbnails(analysis.cover);
    if (made.length === 0) warnings.push("the embedded cover image could not be read");
    for (const thumb of made) {
      const key = `uploads/${job.uploadId}/cover-${thumb.size}.webp`;
      await objects.put("covers", key, thumb.webp, "image/webp");
      thumbnails[thumb.size] = key;
    }
  }

  // The track plays this verified copy, a key no signed form can target.
  const audioKey = audioKeyFor(job.key);
  await objects.put("tracks", audioKey, bytes, verdict.contentType);

  const clean = (v: string | null) => (v && cleanText(v) ? cleanText(v) : null);
  const staged: StagedTrack = {
    title: clean(analysis.tags.title) ?? "Untitled",
    artistName: clean(analysis.tags.artist) ?? clean(analysis.tags.albumArtist),
    albumArtistName: albumArtistOf(clean(analysis.tags.albumArtist)),
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

function albumArtistOf(tagged: string | null): string | null {
  if (!tagged) return null;
  return VARIOUS.has(tagged.toLowerCase()) ? VARIOUS_ARTISTS : tagged;
}
