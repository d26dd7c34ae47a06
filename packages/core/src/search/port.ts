/**
 * The search port: one small interface, two adapters (the embedded PostgreSQL full-text
 * index over the catalog database, and OpenSearch). Both keep the same rules, checked by
 * one contract suite: case and diacritics never matter, one typo is forgiven from 4
 * characters and two from 8, the last word may be a prefix, exact and prefix title matches
 * rank above fuzzy ones, and popularity breaks ties.
 */

export const SEARCH_KINDS = ["track", "artist", "album", "playlist"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface Ref {
  id: string;
  name: string;
}

/** A track as a search result: everything a result row in a UI shows, without a second query. */
export interface TrackDocument {
  kind: "track";
  id: string;
  title: string;
  artist: Ref;
  album: { id: string; title: string } | null;
  genre: { slug: string; name: string } | null;
  year: number | null;
  tempo: number | null;
  durationMs: number;
  popularity: number;
  coverUrl: string | null;
  hasAudio: boolean;
  createdAt: string;
}

export interface ArtistDocument {
  kind: "artist";
  id: string;
  name: string;
  country: string | null;
  imageUrl: string | null;
  trackCount: number;
  /** The highest popularity among the artist's tracks. */
  popularity: number;
  createdAt: string;
}

export interface AlbumDocument {
  kind: "album";
  id: string;
  title: string;
  artist: Ref;
  year: number | null;
  coverImageUrl: string | null;
  trackCount: number;
  popularity: number;
  createdAt: string;
}

/** Only public playlists are indexed. */
export interface PlaylistDocument {
  kind: "playlist";
  id: string;
  title: string;
  description: string | null;
  owner: { id: string; username: string };
  trackCount: number;
  popularity: number;
  createdAt: string;
}

export type SearchDocument = TrackDocument | ArtistDocument | AlbumDocument | PlaylistDocument;
export type DocumentOf<K extends SearchKind> = Extract<SearchDocument, { kind: K }>;

export interface SearchFilters {
  /** Genre slug (tracks). */
  genre?: string | undefined;
  yearFrom?: number | undefined;
  yearTo?: number | undefined;
  tempoFrom?: number | undefined;
  tempoTo?: number | undefined;
  durationFromMs?: number | undefined;
  durationToMs?: number | undefined;
}

export type SearchSort = "relevance" | "popularity" | "newest";

export interface SearchQuery<K extends SearchKind = SearchKind> {
  kind: K;
  /** Free text; at least one letter or digit. */
  q: string;
  filters?: SearchFilters | undefined;
  sort?: SearchSort | undefined;
  limit: number;
  offset: number;
}

/** HTML-escaped text with the matched words wrapped in `<mark>`…`</mark>`. */
export interface Highlight {
  title: string;
  /** The artist (tracks, albums) or owner (playlists), when the query matched it. */
  subtitle?: string | undefined;
}

export interface SearchHit<D extends SearchDocument = SearchDocument> {
  document: D;
  score: number;
  highlight: Highlight;
}

export interface SearchResult<D extends SearchDocument = SearchDocument> {
  /** Every match, not only this page. */
  total: number;
  hits: SearchHit<D>[];
}

export interface SuggestQuery {
  q: string;
  kinds?: readonly SearchKind[] | undefined;
  limit: number;
}

export interface Suggestion {
  kind: SearchKind;
  id: string;
  /** The title or name to complete to. */
  text: string;
  /** The artist or owner, if any. */
  subtitle: string | null;
  highlight: string;
}

export interface DocumentRef {
  kind: SearchKind;
  id: string;
}

export interface ReindexProgress {
  kind: SearchKind;
  indexed: number;
}

/** A batch of documents loaded together, with the version of that load (search/versions.ts). */
export type VersionedBatch = readonly SearchDocument[] & { readonly version?: number };

export interface SearchIndex {
  /** "postgres" (embedded, on the catalog database) or "opensearch". */
  readonly kind: string;
  /**
   * Creates or replaces documents (by kind and id). With `version` (the load's, see
   * search/versions.ts) a document stored or removed with a version at least as high is kept:
   * the write is refused without an error. Without it the write is unconditional.
   */
  upsert(docs: readonly SearchDocument[], version?: number): Promise<void>;
  /** Removes documents; with `version`, only older ones, and a later older write is refused. */
  remove(refs: readonly DocumentRef[], version?: number): Promise<void>;
  search<K extends SearchKind>(query: SearchQuery<K>): Promise<SearchResult<DocumentOf<K>>>;
  suggest(query: SuggestQuery): Promise<Suggestion[]>;
  count(kind?: SearchKind): Promise<number>;
  /**
   * Every indexed document of a kind with its content digest (`documentDigest` of the stored
   * document): the drift check compares them with the catalog's, document by document.
   */
  digests(kind: SearchKind): Promise<Map<string, string>>;
  /**
   * Rebuilds everything from `batches` so that searches keep answering from the old
   * documents until the new ones are complete (a new index and an alias swap in
   * OpenSearch; one transaction on PostgreSQL).
   */
  reindex(
    batches: AsyncIterable<VersionedBatch>,
    onProgress?: (p: ReindexProgress) => void,
  ): Promise<{ indexed: number }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
