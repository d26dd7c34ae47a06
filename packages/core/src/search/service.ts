import { recordSearch, recordSearchClick } from "../analytics/port";
import type { SearchEvent } from "../analytics/records";
import type { Ctx } from "../context";
import { toDomainError } from "../db/errors";
import { AppError } from "../errors";
import type {
  DocumentOf,
  SearchDocument,
  SearchFilters,
  SearchKind,
  SearchResult,
  SearchSort,
  Suggestion,
  SuggestQuery,
} from "./port";
import { onlyVisible } from "./visibility";

/**
 * Search as the product defines it, whatever the transport: the page window, what an outage
 * answers, the catalog's last word on which playlists are public, the page shape and the event
 * analytics records. The HTTP routes (`api/routes/search.ts`) only validate and serialise.
 */

/** OpenSearch's default max_result_window: deeper pages are refused by both adapters alike. */
export const MAX_SEARCH_WINDOW = 10_000;
/** Suggestions start from this many characters; fewer answer an empty list. */
export const SUGGEST_MIN_CHARS = 2;

export const SearchErrors = {
  unavailable: () =>
    new AppError("search_unavailable", 503, "Search is unavailable right now; try again shortly."),
};

export interface SearchPage {
  q: string;
  sort: SearchSort;
  limit: number;
  offset: number;
}

export interface SearchPageResult<D extends SearchDocument> {
  query: string;
  /** Every match, not only this page. */
  total: number;
  limit: number;
  offset: number;
  /** null on the last page. */
  nextOffset: number | null;
  items: (D & { score: number; highlight: { title: string; subtitle?: string | undefined } })[];
}

/** The plural the analytics `kind` column has always used ("tracks", …, "suggest"). */
const eventKind = (kind: SearchKind) => `${kind}s`;

/**
 * Runs a search of one kind and records it (analytics: the query, the kind, how many matched).
 * A value the engine cannot hold is the client's mistake (400); anything else the engine throws
 * is an outage (503 `search_unavailable`), logged.
 */
export async function searchCatalog<K extends SearchKind>(
  ctx: Ctx,
  who: { userId: string } | null | undefined,
  kind: K,
  page: SearchPage,
  filters: SearchFilters = {},
): Promise<SearchPageResult<DocumentOf<K>>> {
  let result: SearchResult<DocumentOf<K>> = await engine(ctx, kind, () =>
    ctx.search.search({ kind, q: page.q, filters, ...window(page) }),
  );
  if (kind === "playlist") {
    // The catalog has the last word on which playlists are public.
    const { items, dropped } = await onlyVisible(ctx.db, result.hits, (h) => h.document);
    result = { total: Math.max(0, result.total - dropped), hits: items };
  }
  const end = page.offset + result.hits.length;
  const body: SearchPageResult<DocumentOf<K>> = {
    query: page.q,
    total: result.total,
    limit: page.limit,
    offset: page.offset,
    nextOffset: end < result.total && result.hits.length > 0 ? end : null,
    items: result.hits.map((h) => ({ ...h.document, score: h.score, highlight: h.highlight })),
  };
  record(ctx, () => recordSearch(ctx.analytics, event(who, page.q, eventKind(kind), result.total)));
  return body;
}

/** Suggestions as you type, from SUGGEST_MIN_CHARS characters, public playlists only. */
export async function suggest(ctx: Ctx, query: SuggestQuery): Promise<Suggestion[]> {
  if (Array.from(query.q).length < SUGGEST_MIN_CHARS) return [];
  const items = await engine(ctx, "suggest", () => ctx.search.suggest(query));
  return (await onlyVisible(ctx.db, items, (s) => s)).items;
}

/** A result the user opened: which one, and where it was in the list. */
export interface SearchClick {
  query: string;
  kind: SearchKind;
  id: string;
  position: number;
}

export function recordClick(
  ctx: Ctx,
  who: { userId: string } | null | undefined,
  click: SearchClick,
) {
  record(ctx, () =>
    recordSearchClick(ctx.analytics, {
      // Unknown at click time; analytics tells clicks apart by clickedResultId.
      ...event(who, click.query, eventKind(click.kind), 0),
      clickedResultId: click.id,
    }),
  );
}

function window(page: SearchPage) {
  if (page.offset + page.limit > MAX_SEARCH_WINDOW)
    throw new AppError(
      "validation_failed",
      400,
      `offset + limit must be at most ${MAX_SEARCH_WINDOW}.`,
    );
  return { sort: page.sort, limit: page.limit, offset: page.offset };
}

async function engine<T>(ctx: Ctx, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // A refusal that is the client's (e.g. a character the embedded index cannot store) is
    // not an outage.
    const mapped = toDomainError(error);
    if (mapped && mapped.status < 500) throw mapped;
    ctx.log.error({ err: error, search: what }, "search engine failed");
    throw SearchErrors.unavailable();
  }
}

const event = (
  who: { userId: string } | null | undefined,
  query: string,
  kind: string,
  resultsCount: number,
): Omit<SearchEvent, "clickedResultId"> => ({
  at: Date.now(),
  userId: who?.userId ?? null,
  query,
  kind,
  resultsCount,
});

/** Analytics never fails a search: an event that cannot be queued is logged and dropped. */
function record(ctx: Ctx, run: () => void) {
  try {
    run();
  } catch (error) {
    ctx.log.warn({ err: error }, "search event not recorded");
  }
}
