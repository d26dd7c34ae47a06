import { http } from "./client";
import type { Album, Artist, Track } from "./types";

/** The search API (GET /api/v1/search/…), normalised: results may come bare or wrapped with highlights. */

export interface Suggestion {
  label: string;
  kind: "track" | "artist" | "album" | "playlist" | "query";
  id?: string;
  /** The artist (tracks, albums) or owner (playlists). */
  subtitle?: string;
}

export interface SearchFilters {
  q: string;
  genre?: string;
  yearFrom?: number;
  yearTo?: number;
  tempoFrom?: number;
  tempoTo?: number;
  durationFromMs?: number;
  durationToMs?: number;
  sort?: string;
  limit?: number;
  offset?: number;
}

export interface Hit<T> {
  item: T;
  /** Field → fragments with the matched words wrapped in <mark> or <em> (rendered as text, never as HTML). */
  highlights: Record<string, string[]>;
}

export interface SearchPage<T> {
  hits: Hit<T>[];
  total: number | null;
  nextOffset: number | null;
  /** The query the engine actually ran when it corrected a typo, if it says so. */
  correctedQuery?: string;
}

type Raw = Record<string, unknown>;

const isObj = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

function normaliseHit<T>(raw: unknown, key: string): Hit<T> {
  if (isObj(raw)) {
    const inner = raw[key] ?? raw["document"];
    if (isObj(inner)) {
      return { item: inner as T, highlights: highlightsOf(raw["highlights"] ?? raw["highlight"]) };
    }
  }
  const r = raw as Raw;
  return { item: raw as T, highlights: highlightsOf(r["highlights"] ?? r["highlight"]) };
}

function highlightsOf(raw: unknown): Record<string, string[]> {
  if (!isObj(raw)) return {};
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === "string") out[k] = [v];
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string");
  }
  return out;
}

export function normalisePage<T>(data: unknown, key: string): SearchPage<T> {
  const d = isObj(data) ? data : { items: data };
  const list = (d["items"] ?? d["hits"] ?? d["results"] ?? []) as unknown[];
  const total = d["total"];
  const next = d["nextOffset"];
  const corrected = d["correctedQuery"] ?? d["didYouMean"];
  return {
    hits: Array.isArray(list) ? list.map((r) => normaliseHit<T>(r, key)) : [],
    total:
      typeof total === "number"
        ? total
        : isObj(total) && typeof total["value"] === "number"
          ? total["value"]
          : null,
    nextOffset: typeof next === "number" ? next : null,
    ...(typeof corrected === "string" ? { correctedQuery: corrected } : {}),
  };
}

export function normaliseSuggestions(data: unknown): Suggestion[] {
  const d = isObj(data) ? data : { items: data };
  const list = (d["suggestions"] ?? d["items"] ?? d["options"] ?? []) as unknown[];
  if (!Array.isArray(list)) return [];
  const out: Suggestion[] = [];
  for (const raw of list) {
    if (typeof raw === "string") {
      out.push({ label: raw, kind: "query" });
      continue;
    }
    if (!isObj(raw)) continue;
    const label = raw["text"] ?? raw["label"] ?? raw["title"] ?? raw["name"];
    if (typeof label !== "string") continue;
    const type = raw["type"] ?? raw["kind"];
    const kind =
      type === "track" || type === "artist" || type === "album" || type === "playlist"
        ? type
        : "query";
    const id = typeof raw["id"] === "string" ? raw["id"] : undefined;
    const subtitle = typeof raw["subtitle"] === "string" ? { subtitle: raw["subtitle"] } : {};
    out.push(id && kind !== "query" ? { label, kind, id, ...subtitle } : { label, kind: "query" });
  }
  return out;
}

const params = (f: SearchFilters) =>
  Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== ""));

export const searchTracks = async (f: SearchFilters) =>
  normalisePage<Track>(
    (await http.get<unknown>("/api/v1/search/tracks", { params: params(f) })).data,
    "track",
  );
export const searchArtists = async (f: SearchFilters) =>
  normalisePage<Artist>(
    (await http.get<unknown>("/api/v1/search/artists", { params: params(f) })).data,
    "artist",
  );
export const searchAlbums = async (f: SearchFilters) =>
  normalisePage<Album>(
    (await http.get<unknown>("/api/v1/search/albums", { params: params(f) })).data,
    "album",
  );

export async function suggest(q: string, signal?: AbortSignal): Promise<Suggestion[]> {
  const { data } = await http.get<unknown>("/api/v1/search/suggest", {
    params: { q, limit: 8 },
    signal,
  });
  return normaliseSuggestions(data);
}
