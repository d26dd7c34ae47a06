import { OpenAPIHono, z } from "@hono/zod-openapi";
import { SEARCH_KINDS, type SearchKind } from "@jonquils/core/search/port";
import {
  MAX_SEARCH_WINDOW as MAX_WINDOW,
  recordClick,
  searchCatalog,
  suggest,
} from "@jonquils/core/search/service";
import { tokenize } from "@jonquils/core/search/text";
import type { AppEnv } from "../env";
import { defineRoute, json, jsonBody, Uuid } from "../schemas";

/**
 * Full-text search over tracks, artists, albums and public playlists, and suggestions as you
 * type: HTTP and schemas only. The rules (window, outage answer, visibility, page shape, the
 * analytics event) are `@jonquils/core/search/service`'s.
 */

const tags = ["search"];

// ---------------------------------------------------------------- schemas

const Q = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((q) => tokenize(q).length > 0, "must contain a letter or a digit")
  .openapi({
    description:
      "Words to find; case and accents do not matter, typos are forgiven (one from 4 letters, two from 8), the last word may be a prefix.",
    example: "aurora drfit",
  });

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const base = {
  q: Q,
  sort: z
    .enum(["relevance", "popularity", "newest"])
    .default("relevance")
    .openapi({ description: "relevance (default), popularity or newest." }),
  limit: int(1, 50).default(20).openapi({ description: "1–50, default 20" }),
  offset: int(0, MAX_WINDOW).default(0),
};

const range = (from: string, to: string) => (v: Record<string, unknown>) =>
  v[from] === undefined || v[to] === undefined || (v[from] as number) <= (v[to] as number);

const withinWindow = (v: { limit: number; offset: number }) => v.offset + v.limit <= MAX_WINDOW;
const windowMessage = { message: `offset + limit must be at most ${MAX_WINDOW}`, path: ["offset"] };

export const TrackSearchQuery = z
  .object({
    ...base,
    genre: z
      .string()
      .trim()
      .toLowerCase()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be a genre slug (letters, digits, hyphens)")
      .optional()
      .openapi({ description: "Genre slug, e.g. `electronic`." }),
    yearFrom: int(1800, 2200).optional(),
    yearTo: int(1800, 2200).optional(),
    tempoFrom: z.coerce.number().min(1).max(400).optional().openapi({ description: "BPM" }),
    tempoTo: z.coerce.number().min(1).max(400).optional(),
    durationFromMs: int(0, 86_400_000).optional(),
    durationToMs: int(0, 86_400_000).optional(),
  })
  .refine(range("yearFrom", "yearTo"), {
    message: "yearFrom must not be after yearTo",
    path: ["yearFrom"],
  })
  .refine(range("tempoFrom", "tempoTo"), {
    message: "tempoFrom must not exceed tempoTo",
    path: ["tempoFrom"],
  })
  .refine(range("durationFromMs", "durationToMs"), {
    message: "durationFromMs must not exceed durationToMs",
    path: ["durationFromMs"],
  })
  .refine(withinWindow, windowMessage);

const AlbumSearchQuery = z
  .object({ ...base, yearFrom: int(1800, 2200).optional(), yearTo: int(1800, 2200).optional() })
  .refine(range("yearFrom", "yearTo"), {
    message: "yearFrom must not be after yearTo",
    path: ["yearFrom"],
  })
  .refine(withinWindow, windowMessage);

const PlainSearchQuery = z.object(base).refine(withinWindow, windowMessage);

const SuggestQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .openapi({ description: "What has been typed so far; answers start from 2 letters." }),
  kinds: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const kinds = [
        ...new Set(
          v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      const bad = kinds.filter((k) => !(SEARCH_KINDS as readonly string[]).includes(k));
      if (bad.length > 0 || kinds.length === 0) {
        ctx.addIssue({
          code: "custom",
          message: `comma-separated list of ${SEARCH_KINDS.join(", ")}`,
        });
        return z.NEVER;
      }
      return kinds as SearchKind[];
    })
    .openapi({
      type: "string",
      description: "Comma-separated kinds (default all): track,artist,album,playlist",
    }),
  limit: int(1, 20).default(8),
});

const Highlight = z
  .object({
    title: z
      .string()
      .openapi({ description: "HTML-escaped title with matches in <mark>…</mark>." }),
    subtitle: z
      .string()
      .optional()
      .openapi({ description: "The artist or owner, when it matched." }),
  })
  .openapi("SearchHighlight");

const Ref = z.object({ id: z.uuid(), name: z.string() });
const hitFields = { score: z.number(), highlight: Highlight };

const TrackHit = z
  .object({
    kind: z.literal("track"),
    id: z.uuid(),
    title: z.string(),
    artist: Ref,
    album: z.object({ id: z.uuid(), title: z.string() }).nullable(),
    genre: z.object({ slug: z.string(), name: z.string() }).nullable(),
    year: z.number().int().nullable(),
    tempo: z.number().nullable(),
    durationMs: z.number().int(),
    popularity: z.number(),
    coverUrl: z.string().nullable(),
    hasAudio: z.boolean(),
    createdAt: z.string(),
    ...hitFields,
  })
  .openapi("TrackSearchHit");

const ArtistHit = z
  .object({
    kind: z.literal("artist"),
    id: z.uuid(),
    name: z.string(),
    country: z.string().nullable(),
    imageUrl: z.string().nullable(),
    trackCount: z.number().int(),
    popularity: z.number(),
    createdAt: z.string(),
    ...hitFields,
  })
  .openapi("ArtistSearchHit");

const AlbumHit = z
  .object({
    kind: z.literal("album"),
    id: z.uuid(),
    title: z.string(),
    artist: Ref,
    year: z.number().int().nullable(),
    coverImageUrl: z.string().nullable(),
    trackCount: z.number().int(),
    popularity: z.number(),
    createdAt: z.string(),
    ...hitFields,
  })
  .openapi("AlbumSearchHit");

const PlaylistHit = z
  .object({
    kind: z.literal("playlist"),
    id: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    owner: z.object({ id: z.uuid(), username: z.string() }),
    trackCount: z.number().int(),
    popularity: z.number(),
    createdAt: z.string(),
    ...hitFields,
  })
  .openapi("PlaylistSearchHit");

const resultsOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      query: z.string(),
      total: z.number().int().openapi({ description: "Every match, not only this page." }),
      limit: z.number().int(),
      offset: z.number().int(),
      nextOffset: z.number().int().nullable().openapi({ description: "null on the last page" }),
      items: z.array(item),
    })
    .openapi(name);

const TrackSearchResults = resultsOf(TrackHit, "TrackSearchResults");

const SuggestionSchema = z
  .object({
    kind: z.enum(SEARCH_KINDS),
    id: z.uuid(),
    text: z.string(),
    subtitle: z.string().nullable(),
    highlight: z
      .string()
      .openapi({ description: "HTML-escaped text with matches in <mark>…</mark>." }),
  })
  .openapi("Suggestion");

const ClickBody = z
  .object({
    query: z.string().trim().min(1).max(200),
    kind: z.enum(SEARCH_KINDS),
    id: Uuid,
    position: z.number().int().min(0).max(MAX_WINDOW),
  })
  .strict()
  .openapi("SearchClick");

// ---------------------------------------------------------------- handlers

function addTrackSearch(app: OpenAPIHono<AppEnv>, path: string, alias = false) {
  app.openapi(
    defineRoute({
      method: "get",
      path,
      tags: alias ? ["tracks", ...tags] : tags,
      summary: alias ? "Search tracks (same as /api/v1/search/tracks)" : "Search tracks",
      description:
        "By title, artist, album and genre words. Filters: genre, year, tempo and duration ranges. Sort by relevance (exact and prefix title matches first, popularity breaks ties), popularity or newest.",
      request: { query: TrackSearchQuery },
      responses: { 200: json(TrackSearchResults) },
    }),
    async (c) => {
      const { genre, yearFrom, yearTo, tempoFrom, tempoTo, durationFromMs, durationToMs, ...page } =
        c.req.valid("query");
      const body = await searchCatalog(c.get("ctx"), c.get("actor"), "track", page, {
        genre,
        yearFrom,
        yearTo,
        tempoFrom,
        tempoTo,
        durationFromMs,
        durationToMs,
      });
      return c.json(body, 200);
    },
  );
}

export function searchRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  addTrackSearch(app, "/tracks");

  app.openapi(
    defineRoute({
      method: "get",
      path: "/artists",
      tags,
      summary: "Search artists",
      request: { query: PlainSearchQuery },
      responses: { 200: json(resultsOf(ArtistHit, "ArtistSearchResults")) },
    }),
    async (c) =>
      c.json(
        await searchCatalog(c.get("ctx"), c.get("actor"), "artist", c.req.valid("query")),
        200,
      ),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/albums",
      tags,
      summary: "Search albums",
      request: { query: AlbumSearchQuery },
      responses: { 200: json(resultsOf(AlbumHit, "AlbumSearchResults")) },
    }),
    async (c) => {
      const { yearFrom, yearTo, ...page } = c.req.valid("query");
      const body = await searchCatalog(c.get("ctx"), c.get("actor"), "album", page, {
        yearFrom,
        yearTo,
      });
      return c.json(body, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/playlists",
      tags,
      summary: "Search public playlists",
      request: { query: PlainSearchQuery },
      responses: { 200: json(resultsOf(PlaylistHit, "PlaylistSearchResults")) },
    }),
    async (c) =>
      c.json(
        await searchCatalog(c.get("ctx"), c.get("actor"), "playlist", c.req.valid("query")),
        200,
      ),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/suggest",
      tags,
      summary: "Suggestions as you type",
      description:
        "Titles and names that start with (or, from 4 letters, nearly start with) what was typed, from 2 letters on; fewer letters answer an empty list.",
      request: { query: SuggestQuery },
      responses: {
        200: json(z.object({ items: z.array(SuggestionSchema) }).openapi("Suggestions")),
      },
    }),
    async (c) => {
      const { q, kinds, limit } = c.req.valid("query");
      return c.json({ items: await suggest(c.get("ctx"), { q, kinds, limit }) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/click",
      tags,
      summary: "Record that a search result was opened",
      request: { body: jsonBody(ClickBody) },
      responses: { 204: { description: "Recorded" } },
    }),
    (c) => {
      recordClick(c.get("ctx"), c.get("actor"), c.req.valid("json"));
      return c.body(null, 204);
    },
  );

  return app;
}

/** `GET /api/v1/tracks/search` (the product description's path): the same as /search/tracks. */
export function trackSearchAliasRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  addTrackSearch(app, "/search", true);
  return app;
}
