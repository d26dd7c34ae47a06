import { and, count, desc, eq, inArray, isNotNull } from "drizzle-orm";
import type { Executor } from "../db/types";
import { tracks } from "../track/track.sql";
import { genreModels, genres } from "./genre.sql";

/** A catalog track the genre model may learn from: its genre came from tags or people. */
export interface GenreCatalogExample {
  features: {
    tempo: number | null;
    tempoConfidence: number | null;
    energy: number;
    valence: number;
    loudness: number;
    truePeakDb: number | null;
    /** Timbre descriptors (tracks.timbre), null when the track was analysed before them. */
    timbre: object | null;
  };
  genreSlug: string;
}

export interface StoredGenreModel {
  version: string;
  params: unknown;
  examples: number;
  catalogExamples: number;
  createdAt: Date;
}

const learnable = and(
  inArray(tracks.genreSource, ["tag", "manual"]),
  isNotNull(tracks.genreId),
  isNotNull(tracks.energy),
  isNotNull(tracks.valence),
  isNotNull(tracks.loudness),
);

/** How many catalog tracks the genre model could learn from now. */
export async function countGenreCatalogExamples(db: Executor): Promise<number> {
  const [row] = await db.select({ n: count() }).from(tracks).where(learnable);
  return Number(row?.n ?? 0);
}

/**
 * The newest `limit` learnable catalog tracks (never those whose genre the model itself
 * predicted), ordered by id so the same catalog always yields the same list.
 */
export async function genreCatalogExamples(
  db: Executor,
  limit: number,
): Promise<GenreCatalogExample[]> {
  const rows = await db
    .select({
      id: tracks.id,
      tempo: tracks.tempo,
      tempoConfidence: tracks.tempoConfidence,
      energy: tracks.energy,
      valence: tracks.valence,
      loudness: tracks.loudness,
      truePeakDb: tracks.truePeakDb,
      timbre: tracks.timbre,
      slug: genres.slug,
    })
    .from(tracks)
    .innerJoin(genres, eq(genres.id, tracks.genreId))
    .where(learnable)
    .orderBy(desc(tracks.createdAt), desc(tracks.id))
    .limit(limit);
  return rows.map((r) => ({
    features: {
      tempo: r.tempo,
      tempoConfidence: r.tempoConfidence,
      energy: r.energy!,
      valence: r.valence!,
      loudness: r.loudness!,
      truePeakDb: r.truePeakDb,
      timbre: r.timbre ?? null,
    },
    genreSlug: r.slug,
  }));
}

/** The newest stored genre model, or null while none was trained on the catalog. */
export async function latestGenreModel(db: Executor): Promise<StoredGenreModel | null> {
  const [row] = await db
    .select()
    .from(genreModels)
    .orderBy(desc(genreModels.createdAt), desc(genreModels.version))
    .limit(1);
  return row ?? null;
}

/** Stores a trained model (a model with the same version — same parameters — is kept once). */
export async function saveGenreModel(
  db: Executor,
  model: { version: string; params: unknown; examples: number; catalogExamples: number },
): Promise<void> {
  await db.insert(genreModels).values(model).onConflictDoNothing({ target: genreModels.version });
}
