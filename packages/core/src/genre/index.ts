import { asc } from "drizzle-orm";
import type { Ctx } from "../context";
import { cachedJson, type JsonText } from "../util/json-cache";
import { genres } from "./genre.sql";

export interface GenreView {
  id: number;
  name: string;
  slug: string;
  description: string | null;
}

export function listGenresJson(ctx: Ctx): Promise<JsonText> {
  return cachedJson(ctx.cache, "genres:all", 300, async () => ({
    items: await ctx.db
      .select({
        id: genres.id,
        name: genres.name,
        slug: genres.slug,
        description: genres.description,
      })
      .from(genres)
      .orderBy(asc(genres.name)),
  }));
}
