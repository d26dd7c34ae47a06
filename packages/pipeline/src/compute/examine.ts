/**
 * The CPU-heavy part of the Transform step, as one function of the file's bytes: the replay
 * check (MD5 against the registered ETag), the byte-level audio gate, tags + decode +
 * features (analyseAudio) and the cover thumbnails. It touches no database, store or
 * network, so it runs unchanged inline (Lambda) or in a worker thread (local: compute/pool.ts).
 *
 * Expected refusals come back as values (`ok: false`, the error's name and a reason in
 * words), because an Error's class does not survive the trip out of a worker thread.
 */
import { MIN_AUDIO_SECONDS, verifyAudio } from "@jonquils/core/upload/audio-verify";
import { REPLAY_REASON } from "@jonquils/core/upload/lifecycle";
import { createHash } from "node:crypto";
import { analyseAudio } from "../analysis/analyse";
import { makeThumbnails, type Thumbnail } from "../analysis/thumbnails";
import { UnreadableAudioError, type TrackAnalysis } from "../analysis/types";

export interface ExamineInput {
  bytes: Uint8Array;
  filename: string;
  /** Decode and compute features (full analysis) or tags only. */
  analyse: boolean;
  /** The MD5 first registered for this object (a single-part ETag), or null. */
  expectedMd5: string | null;
}

export interface ExaminedAudio {
  ok: true;
  format: string;
  contentType: string;
  /** The file's name says another container (a warning). */
  renamed: string | null;
  /** The analysis; its cover is dropped (the thumbnails below are what is kept). */
  analysis: TrackAnalysis;
  thumbnails: Thumbnail[];
  /** An embedded cover was there but could not be read. */
  coverUnreadable: boolean;
}

export interface RefusedFile {
  ok: false;
  /** The error the Transform step throws: both are final (no retry) and shown to the uploader. */
  error: "NotProcessableError" | "UnreadableAudioError";
  reason: string;
}

export type ExamineResult = ExaminedAudio | RefusedFile;

export async function examineAudio(input: ExamineInput): Promise<ExamineResult> {
  const { bytes, filename } = input;
  // Single use: the bytes must be the object first announced for this upload (S3 lets a
  // signed form be posted again within its lifetime; that second object is refused).
  if (input.expectedMd5) {
    const md5 = createHash("md5").update(bytes).digest("hex");
    if (md5 !== input.expectedMd5)
      return { ok: false, error: "NotProcessableError", reason: REPLAY_REASON };
  }
  // The gate: the bytes, not the name or the declared type, decide what the file is.
  const verdict = verifyAudio(bytes, { filename });
  if (!verdict.ok) return { ok: false, error: "NotProcessableError", reason: verdict.reason };
  let analysis: TrackAnalysis;
  try {
    analysis = await analyseAudio(bytes, {
      filename,
      mimeType: verdict.contentType,
      analyse: input.analyse,
      // Tags-only: the gate above already walked the frames and measured the audio, so the
      // decode probe would only repeat it (a file of unknown length is still decoded).
      probe: false,
    });
  } catch (error) {
    if (error instanceof UnreadableAudioError)
      return { ok: false, error: "UnreadableAudioError", reason: error.reason };
    throw error;
  }
  if (analysis.format.durationMs < MIN_AUDIO_SECONDS * 1000)
    return {
      ok: false,
      error: "NotProcessableError",
      reason: `only ${(analysis.format.durationMs / 1000).toFixed(2)} s of the file could be decoded; a track needs at least ${MIN_AUDIO_SECONDS} s`,
    };
  const thumbnails = analysis.cover ? await makeThumbnails(analysis.cover) : [];
  return {
    ok: true,
    format: verdict.format,
    contentType: verdict.contentType,
    renamed: verdict.renamed,
    analysis: { ...analysis, cover: null },
    thumbnails,
    coverUnreadable: analysis.cover !== null && thumbnails.length === 0,
  };
}
