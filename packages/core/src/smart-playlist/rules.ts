import { and, asc, desc, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { z } from "zod";
import { genres } from "../genre/genre.sql";
import { tracks } from "../track/track.sql";

const range = (min: number, max: number) =>
  z
    .object({
      min: z.number().min(min).max(max).optional(),
      max: z.number().min(min).max(max).optional(),
    })
    .strict()
    .refine(
      (r) => r.min === undefined || r.max === undefined || r.min <= r.max,
      "min must be ≤ max",
    );

/** The rules of a smart playlist. Every rule given must hold (AND); absent rules do not filter. */
export const SmartRulesSchema = z
  .object({
    /** Genre slugs; a track matches any of them. */
    genres: z.array(z.string().trim().toLowerCase().min(1).max(64)).min(1).max(50).optional(),
    /** Beats per minute. */
    tempo: range(1, 400).optional(),
    /** 0–1. */
    energy: range(0, 1).optional(),
    /** 0–1 (sad → happy). */
    valence: range(0, 1).optional(),
    /** dBFS / LUFS, −100…10. */
    loudness: range(-100, 10).optional(),
    year: range(1800, 2200).optional(),
    /** How many times the playlist's owner played the track. */
    plays: range(0, 1_000_000).optional(),
    /** true: only tracks the owner liked; false: only tracks they did not. */
    liked: z.boolean().optional(),
    /** The owner's rating, 1–5 (unrated tracks never match a rating rule). */
    rating: range(1, 5).optional(),
    /** Only tracks added to the catalog within this many days. */
    addedWithinDays: z.number().int().min(1).max(36_500).optional(),
  })
  .strict();

export type SmartRules = z.infer<typeof SmartRulesSchema>;

export const SMART_SORTS = ["popularity", "newest", "title", "random", "tempo", "energy"] as const;
export type SmartSort = (typeof SMART_SORTS)[number];

function between(column: SQLWrapper, r: { min?: number; max?: number } | undefined) {
  if (!r) return undefined;
  return and(
    r.min !== undefined ? sql`${column} >= ${r.min}` : undefined,
    r.max !== undefined ? sql`${column} <= ${r.max}` : undefined,
  );
}

/** The rules as one SQL condition over `tracks`, evaluated for the playlist's owner. */
export function rulesToSql(rules: SmartRules, ownerId: string): SQL | undefined {
  const plays = sql`(select count(*) from listening_history lh where lh.user_id = ${ownerId} and lh.track_id = ${tracks.id})`;
  const rating = sql`(select tr.rating from track_ratings tr where tr.user_id = ${ownerId} and tr.track_id = ${tracks.id})`;
  const liked = sql`exists (select 1 from track_likes tl where tl.user_id = ${ownerId} and tl.track_id = ${tracks.id})`;
  return and(
    rules.genres
      ? sql`${tracks.genreId} in (select ${genres.id} from ${genres} where ${genres.slug} in (${sql.join(
          rules.genres.map((g) => sql`${g}`),
          sql`, `,
        )}))`
      : undefined,
    between(tracks.tempo, rules.tempo),
    between(tracks.energy, rules.energy),
    between(tracks.valence, rules.valence),
    between(tracks.loudness, rules.loudness),
    between(tracks.year, rules.year),
    between(plays, rules.plays),
    between(rating, rules.rating),
    rules.liked === undefined ? undefined : rules.liked ? liked : sql`not ${liked}`,
    rules.addedWithinDays
      ? sql`${tracks.createdAt} >= now() - make_interval(days => ${rules.addedWithinDays})`
      : undefined,
  );
}

export const sortToSql: Record<SmartSort, SQL[]> = {
  popularity: [sql`${tracks.popularity} desc`, asc(tracks.id)],
  newest: [desc(tracks.createdAt), desc(tracks.id)],
  title: [sql`lower(${tracks.title})`, asc(tracks.id)],
  random: [sql`random()`],
  tempo: [sql`${tracks.tempo} asc nulls last`, asc(tracks.id)],
  energy: [sql`${tracks.energy} desc nulls last`, asc(tracks.id)],
};
