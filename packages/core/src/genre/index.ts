import { asc, sql } from "drizzle-orm";
import type { Ctx } from "../context";
import { cachedJson, namespaceKey, type JsonText } from "../util/json-cache";
import { genres } from "./genre.sql";

export interface GenreView {
  id: number;
  name: string;
  slug: string;
  description: string | null;
  /** Catalog tracks in this genre (clients show only genres that have some). */
  trackCount: number;
}

/** Cached in the tracks namespace: a new or re-tagged track refreshes the counts. */
export async function listGenresJson(ctx: Ctx): Promise<JsonText> {
  const key = await namespaceKey(ctx.cache, "tracks", "genres:all");
  return cachedJson(ctx.cache, key, 300, async () => ({
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
