import type { SearchDocument } from "./port";

/** What each kind of document is matched on, and what it is filtered and sorted by. */

export interface DocumentText {
  /** Weighted highest: the title or name. */
  title: string;
  /** The artist (tracks, albums) or owner (playlists): matched, and highlighted when it matches. */
  subtitle: string | null;
  /** Also matched, with the subtitle: album, genre, description. */
  extra: string[];
}

export function documentText(doc: SearchDocument): DocumentText {
  switch (doc.kind) {
    case "track":
      return {
        title: doc.title,
        subtitle: doc.artist.name,
        extra: [doc.album?.title, doc.genre?.name].filter((s): s is string => !!s),
      };
    case "artist":
      return { title: doc.name, subtitle: null, extra: [] };
    case "album":
      return { title: doc.title, subtitle: doc.artist.name, extra: [] };
    case "playlist":
      return {
        title: doc.title,
        subtitle: doc.owner.username,
        extra: doc.description ? [doc.description] : [],
      };
  }
}

export interface DocumentFacets {
  genre: string | null;
  year: number | null;
  tempo: number | null;
  durationMs: number | null;
  popularity: number;
  createdAt: string;
}

export function documentFacets(doc: SearchDocument): DocumentFacets {
  return {
    genre: doc.kind === "track" ? (doc.genre?.slug ?? null) : null,
    year: doc.kind === "track" || doc.kind === "album" ? doc.year : null,
    tempo: doc.kind === "track" ? doc.tempo : null,
    durationMs: doc.kind === "track" ? doc.durationMs : null,
    popularity: doc.popularity,
    createdAt: doc.createdAt,
  };
}
