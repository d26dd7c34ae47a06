import { asc, eq, sql } from "drizzle-orm";
import type { Ctx } from "../context";
import type { Executor } from "../db/types";
import { cachedBody, namespaceKey, type CachedBody } from "../util/json-cache";
import { genres } from "./genre.sql";

export interface GenreView {
  id: number;
  name: string;
  slug: string;
  description: string | null;
  /** Catalog tracks in this genre (clients show only genres that have some). */
  trackCount: number;
}

/** The id of the genre with this slug (a tag or the model names genres by slug), or null. */
export async function genreIdBySlug(db: Executor, slug: string): Promise<number | null> {
  const [g] = await db.select({ id: genres.id }).from(genres).where(eq(genres.slug, slug)).limit(1);
  return g?.id ?? null;
}

/** Cached in the tracks namespace: a new or re-tagged track refreshes the counts. */
export async function listGenresBody(ctx: Ctx): Promise<CachedBody> {
  const key = await namespaceKey(ctx.cache, "tracks", "genres:all");
  return cachedBody(ctx.cache, key, 300, async () => ({
    items: await ctx.db
      .select({
        id: genres.id,
        name: genres.name,
        slug: genres.slug,
        description: genres.description,
        trackCount:
          sql<number>`(select count(*)::int from tracks t where t.genre_id = "genres"."id")`.mapWith(
            Number,
          ),
      })
      .from(genres)
      .orderBy(asc(genres.name)),
  }));
}

/** Every genre's slug and name (the pipeline matches tagged genres against them). */
export async function genreNames(db: Executor): Promise<{ slug: string; name: string }[]> {
  return db.select({ slug: genres.slug, name: genres.name }).from(genres);
}
