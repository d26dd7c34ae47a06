import type { Client } from "@opensearch-project/opensearch";
import type { Logger } from "../logger";
import { documentDigest } from "./digest";
import { documentFacets, documentText } from "./fields";
import {
  SEARCH_KINDS,
  type DocumentOf,
  type DocumentRef,
  type ReindexProgress,
  type SearchDocument,
  type SearchIndex,
  type SearchKind,
  type SearchQuery,
  type SearchResult,
  type SearchSort,
  type Suggestion,
  type SuggestQuery,
} from "./port";
import { foldText, highlightWords, tokenize, wordMatches } from "./text";

/**
 * The OpenSearch adapter (2.x, `@opensearch-project/opensearch`). One index per kind behind an
 * alias (`<prefix>tracks` → `<prefix>tracks_v<time>`); a reindex fills new indices and swaps
 * every alias in one `_aliases` request. While it runs, a second alias (`<prefix>tracks_next`)
 * names the new index, and every live write goes to both, so what the API writes meanwhile
 * (from any process) survives the swap. Every write carries the external version of its load
 * (search/versions.ts; a reindex's unversioned batch version 1), so an older load never replaces
 * a newer write nor brings back a newer removal (`index.gc_deletes` keeps removals remembered
 * while a rebuild lasts, 60 s otherwise). Analysis uses built-in parts only (no ICU plugin):
 * standard tokenizer, a char filter ё→е (asciifolding leaves Cyrillic alone), lowercase and
 * asciifolding; an edge n-gram sub-field answers prefixes and suggestions; fuzziness AUTO:4,8
 * forgives one edit from 4 characters and two from 8, as the embedded adapter does.
 *
 * The request builders and response parsers are plain exported functions, tested against the
 * response shapes of the OpenSearch 2.x documentation.
 */

export const FUZZINESS = "AUTO:4,8";
const DIGEST_PAGE = 2000;
const MAX_EXPANSIONS = 50;

/** AWS credentials as the SDK's providers resolve them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

/**
 * Signing for Amazon OpenSearch Service (`es`) or Serverless (`aoss`): every request carries a
 * SigV4 `Authorization` header made by the client's `AwsSigv4Signer`, with credentials from the
 * AWS SDK's default chain (the Lambda role, env, profile…) unless `getCredentials` is given.
 */
export interface OpenSearchAwsAuth {
  kind: "aws-sigv4";
  region: string;
  service: "es" | "aoss";
  getCredentials?: () => Promise<AwsCredentials>;
}

/**
 * OPENSEARCH_AUTH → how to authenticate. Unset: SigV4 for an Amazon endpoint
 * (`….<region>.es.amazonaws.com`, or `aoss` for Serverless), none otherwise (a local server, or
 * user:password in the URL). The region comes from the endpoint's host, else `region`.
 */
export function openSearchAuth(
  url: string,
  setting: "none" | "aws-sigv4" | undefined,
  region: string,
): OpenSearchAwsAuth | undefined {
  const host = new URL(url).hostname.toLowerCase();
  const amazon = /(?:^|\.)([a-z]{2}(?:-[a-z]+)+-\d+)\.(es|aoss)\.amazonaws\.com(?:\.cn)?$/.exec(
    host,
  );
  if (setting === "none" || (setting === undefined && !amazon)) return undefined;
  return {
    kind: "aws-sigv4",
    region: amazon?.[1] ?? region,
    service: amazon?.[2] === "aoss" ? "aoss" : "es",
  };
}

export interface OpenSearchOptions {
  node: string;
  indexPrefix: string;
  log: Logger;
  /** SigV4 signing (Amazon OpenSearch with IAM); unset: plain requests. */
  auth?: OpenSearchAwsAuth | undefined;
  /** Tests pass a client (e.g. pointed at a scripted server); otherwise one is made from `node`. */
  client?: Client;
  /** Make writes visible to the next search (`refresh=wait_for`); default true. */
  waitForRefresh?: boolean;
}

// ------------------------------------------------------------------ index definition

export function indexSettings() {
  return {
    settings: {
      index: { number_of_shards: 1, max_ngram_diff: 19 },
      analysis: {
        char_filter: {
          jq_yo: { type: "mapping", mappings: ["ё => е", "Ё => Е"] },
          // For the exact-title keyword: "So Late, So Blue" → "so late so blue", as text.ts folds it.
          jq_words: { type: "pattern_replace", pattern: "[^\\p{L}\\p{N}]+", replacement: " " },
        },
        filter: {
          jq_edge: { type: "edge_ngram", min_gram: 1, max_gram: 20 },
        },
        normalizer: {
          jq_folded: {
            type: "custom",
            char_filter: ["jq_yo", "jq_words"],
            filter: ["lowercase", "asciifolding", "trim"],
          },
        },
        analyzer: {
          jq_text: {
            type: "custom",
            tokenizer: "standard",
            char_filter: ["jq_yo"],
            filter: ["lowercase", "asciifolding"],
          },
          jq_prefix: {
            type: "custom",
            tokenizer: "standard",
            char_filter: ["jq_yo"],
            filter: ["lowercase", "asciifolding", "jq_edge"],
          },
        },
      },
    },
    mappings: {
      dynamic: "strict",
      properties: {
        kind: { type: "keyword" },
        id: { type: "keyword" },
        title: {
          type: "text",
          analyzer: "jq_text",
          fields: {
            folded: { type: "keyword", normalizer: "jq_folded", ignore_above: 512 },
            prefix: { type: "text", analyzer: "jq_prefix", search_analyzer: "jq_text" },
          },
        },
        subtitle: { type: "text", analyzer: "jq_text" },
        /** Title, subtitle and the rest: what every query word must be found in. */
        all: {
          type: "text",
          analyzer: "jq_text",
          fields: { prefix: { type: "text", analyzer: "jq_prefix", search_analyzer: "jq_text" } },
        },
        genre: { type: "keyword" },
        year: { type: "short" },
        tempo: { type: "float" },
        durationMs: { type: "integer" },
        popularity: { type: "float" },
        createdAt: { type: "date" },
        /** The document as the API returns it: stored, not indexed. */
        payload: { type: "object", enabled: false },
      },
    },
  };
}

export interface IndexedDocument {
  kind: SearchKind;
  id: string;
  title: string;
  subtitle: string;
  all: string;
  genre: string | null;
  year: number | null;
  tempo: number | null;
  durationMs: number | null;
  popularity: number;
  createdAt: string;
  payload: SearchDocument;
}

export function toIndexedDocument(doc: SearchDocument): IndexedDocument {
  const text = documentText(doc);
  return {
    kind: doc.kind,
    id: doc.id,
    title: text.title,
    subtitle: text.subtitle ?? "",
    all: [text.title, text.subtitle ?? "", ...text.extra].filter(Boolean).join(" \n "),
    ...documentFacets(doc),
    payload: doc,
  };
}

// ------------------------------------------------------------------ requests

export const aliasName = (prefix: string, kind: SearchKind) => `${prefix}${kind}s`;
/** The alias of the index a running reindex fills (absent otherwise). */
export const nextAliasName = (prefix: string, kind: SearchKind) =>
  `${aliasName(prefix, kind)}_next`;

/** How long a rebuilding index remembers removals, so a stale batch cannot bring one back. */
export const REINDEX_GC_DELETES = "12h";

/** NDJSON lines of a `_bulk` request: `index` actions for documents, `delete` for refs. */
export function bulkLines(
  indexFor: (kind: SearchKind) => string,
  docs: readonly SearchDocument[],
  removals: readonly DocumentRef[] = [],
): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const doc of docs) {
    lines.push({ index: { _index: indexFor(doc.kind), _id: doc.id } });
    lines.push(toIndexedDocument(doc) as unknown as Record<string, unknown>);
  }
  for (const ref of removals) lines.push({ delete: { _index: indexFor(ref.kind), _id: ref.id } });
  return lines;
}

/**
 * A live write: each action through the alias, and again through the `_next` alias of a running
 * reindex. `require_alias` keeps a cluster that creates indices on write from making a `_next`
 * index when no reindex runs (that item then fails with 404, which `checkBulkResponse` accepts).
 * With `version` (the load's, search/versions.ts) every action is `version_type=external`: a
 * document indexed or removed by a newer load stays (409, which the caller accepts), and a
 * removal is remembered for `index.gc_deletes` against an older write arriving later.
 */
export function liveBulkLines(
  prefix: string,
  docs: readonly SearchDocument[],
  removals: readonly DocumentRef[] = [],
  version?: number,
  rebuilding: ReadonlySet<SearchKind> = new Set(),
): Record<string, unknown>[] {
  const versioned = version !== undefined ? { version, version_type: "external" } : {};
  const lines: Record<string, unknown>[] = [];
  for (const doc of docs) {
    const source = toIndexedDocument(doc) as unknown as Record<string, unknown>;
    lines.push(
      { index: { _index: aliasName(prefix, doc.kind), _id: doc.id, ...versioned } },
      source,
    );
    lines.push(
      {
        index: {
          _index: nextAliasName(prefix, doc.kind),
          _id: doc.id,
          require_alias: true,
          ...versioned,
        },
      },
      source,
    );
  }
  // A delete through `_next` only for the kinds being rebuilt (`rebuilding`, looked up by the
  // caller): OpenSearch creates a missing index for a delete with external versioning (bulk
  // deletes ignore `require_alias`), so outside a rebuild it would leave a concrete
  // `<kind>_next` index behind on a domain with automatic index creation (the AWS default) and
  // break the next reindex's alias.
  for (const ref of removals) {
    lines.push({ delete: { _index: aliasName(prefix, ref.kind), _id: ref.id, ...versioned } });
    if (rebuilding.has(ref.kind))
      lines.push({
        delete: { _index: nextAliasName(prefix, ref.kind), _id: ref.id, ...versioned },
      });
  }
  return lines;
}

/**
 * A reindex batch into the new indices, with the version of its load (external version 1 for an
 * unversioned batch), which OpenSearch refuses (409) for a document that a newer live write has
 * already put or removed there.
 */
export function reindexBulkLines(
  indexFor: (kind: SearchKind) => string,
  docs: readonly SearchDocument[],
  version = 1,
): Record<string, unknown>[] {
  return docs.flatMap((doc) => [
    { index: { _index: indexFor(doc.kind), _id: doc.id, version, version_type: "external" } },
    toIndexedDocument(doc) as unknown as Record<string, unknown>,
  ]);
}

interface BulkItem {
  [action: string]: {
    _index?: string;
    _id?: string;
    status: number;
    error?: { type: string; reason: string };
  };
}

/**
 * Throws on any failed item of a `_bulk` response. Fine: a missing document on delete, a
 * missing `_next` alias (no reindex runs), and, for a reindex batch (`versionConflicts: "ok"`),
 * a document a live write got to first, and for a versioned live write one a newer load got to
 * first.
 */
export function checkBulkResponse(
  body: { errors: boolean; items: BulkItem[] },
  options: { versionConflicts?: "ok" } = {},
): void {
  if (!body.errors) return;
  const accepted = (action: string, item: BulkItem[string]) =>
    item.status < 300 ||
    (action === "delete" && item.status === 404 && !item.error) ||
    (item.status === 404 &&
      item.error?.type === "index_not_found_exception" &&
      !!item._index?.endsWith("_next")) ||
    (options.versionConflicts === "ok" &&
      item.status === 409 &&
      item.error?.type === "version_conflict_engine_exception");
  const failures = body.items
    .map((item) => Object.entries(item)[0])
    .filter((e): e is [string, BulkItem[string]] => !!e && !accepted(e[0], e[1]));
  if (failures.length === 0) return;
  const [action, first] = failures[0]!;
  throw new Error(
    `OpenSearch bulk: ${failures.length} item(s) failed; first (${action} ${first._id ?? "?"}): ${first.error?.type ?? first.status}: ${first.error?.reason ?? ""}`,
  );
}

function filterClauses(query: SearchQuery): unknown[] {
  const f = query.filters ?? {};
  const range = (field: string, gte?: number, lte?: number) =>
    gte === undefined && lte === undefined
      ? []
      : [
          {
            range: {
              [field]: {
                ...(gte !== undefined ? { gte } : {}),
                ...(lte !== undefined ? { lte } : {}),
              },
            },
          },
        ];
  return [
    ...(f.genre !== undefined ? [{ term: { genre: f.genre } }] : []),
    ...range("year", f.yearFrom, f.yearTo),
    ...range("tempo", f.tempoFrom, f.tempoTo),
    ...range("durationMs", f.durationFromMs, f.durationToMs),
  ];
}

/** Every word must match (fuzzily, the last one also as a prefix); exact and title matches score higher. */
export function textQuery(q: string, filter: unknown[] = []) {
  const folded = tokenize(q).join(" ");
  const fuzzy = (field: string, boost?: number) => ({
    match: {
      [field]: {
        query: q,
        operator: "and",
        fuzziness: FUZZINESS,
        max_expansions: MAX_EXPANSIONS,
        prefix_length: 0,
        fuzzy_transpositions: true,
        ...(boost ? { boost } : {}),
      },
    },
  });
  return {
    bool: {
      must: [{ bool: { should: [fuzzy("all"), fuzzy("all.prefix")], minimum_should_match: 1 } }],
      should: [
        { term: { "title.folded": { value: folded, boost: 8 } } },
        { prefix: { "title.folded": { value: folded, boost: 4 } } },
        { match_bool_prefix: { title: { query: q, operator: "and", boost: 2 } } },
        { match_bool_prefix: { all: { query: q, operator: "and", boost: 1 } } },
        // A typo in a title word still ranks the title above documents that match only through
        // their artist or album (found by the real engine: without it, recall@10 fell to 0.89).
        fuzzy("title", 3),
      ],
      filter,
    },
  };
}

function sortFor(sort: SearchSort): unknown[] {
  const tie = { id: { order: "asc" } };
  switch (sort) {
    case "relevance":
      return [{ _score: { order: "desc" } }, { popularity: { order: "desc" } }, tie];
    case "popularity":
      return [{ popularity: { order: "desc" } }, { _score: { order: "desc" } }, tie];
    case "newest":
      return [
        { createdAt: { order: "desc", missing: "_last" } },
        { _score: { order: "desc" } },
        tie,
      ];
  }
}

export function searchRequestBody(query: SearchQuery) {
  return {
    from: query.offset,
    size: query.limit,
    track_total_hits: true,
    query: textQuery(query.q, filterClauses(query)),
    sort: sortFor(query.sort ?? "relevance"),
    _source: ["payload"],
  };
}

export function suggestRequestBody(query: SuggestQuery) {
  return {
    size: query.limit,
    track_total_hits: false,
    query: textQuery(query.q),
    sort: sortFor("relevance"),
    _source: ["payload"],
  };
}

// ------------------------------------------------------------------ responses

export interface SearchResponseBody {
  hits: {
    total?: { value: number; relation: "eq" | "gte" } | number;
    hits: {
      _index: string;
      _id: string;
      _score: number | null;
      _source?: { payload?: SearchDocument };
      sort?: unknown[];
    }[];
  };
}

/** Highlights the words of a document that answer the query's words, as both adapters do. */
export function queryMatcher(q: string): (folded: string) => boolean {
  const words = tokenize(q);
  return (folded) => words.some((w, i) => wordMatches(folded, w, i === words.length - 1));
}

export function parseSearchResponse<K extends SearchKind>(
  body: SearchResponseBody,
  q: string,
): SearchResult<DocumentOf<K>> {
  const matches = queryMatcher(q);
  const total = body.hits.total;
  return {
    total: typeof total === "number" ? total : (total?.value ?? body.hits.hits.length),
    hits: body.hits.hits.flatMap((hit) => {
      const doc = hit._source?.payload as DocumentOf<K> | undefined;
      if (!doc) return [];
      const text = documentText(doc);
      const subtitle = text.subtitle ? highlightWords(text.subtitle, matches) : undefined;
      return [
        {
          document: doc,
          score: hit._score ?? 0,
          highlight: {
            title: highlightWords(text.title, matches),
            ...(subtitle?.includes("<mark>") ? { subtitle } : {}),
          },
        },
      ];
    }),
  };
}

export function parseSuggestResponse(body: SearchResponseBody, q: string): Suggestion[] {
  return parseSearchResponse(body, q).hits.map(({ document }) => {
    const text = documentText(document);
    return {
      kind: document.kind,
      id: document.id,
      text: text.title,
      subtitle: text.subtitle,
      highlight: highlightWords(text.title, queryMatcher(q)),
    };
  });
}

// ------------------------------------------------------------------ adapter

async function makeClient(node: string, auth: OpenSearchAwsAuth | undefined): Promise<Client> {
  const { Client: OpenSearchClient } = await import("@opensearch-project/opensearch");
  const base = { node, requestTimeout: 10_000, maxRetries: 2 };
  if (!auth) return new OpenSearchClient(base);
  const { AwsSigv4Signer } = await import("@opensearch-project/opensearch/aws");
  const getCredentials =
    auth.getCredentials ?? (await import("@aws-sdk/credential-provider-node")).defaultProvider();
  return new OpenSearchClient({
    ...base,
    ...AwsSigv4Signer({ region: auth.region, service: auth.service, getCredentials }),
  });
}

export function createOpenSearchIndex(options: OpenSearchOptions): SearchIndex {
  const prefix = options.indexPrefix;
  const refresh = options.waitForRefresh === false ? undefined : "wait_for";
  let clientPromise: Promise<Client> | undefined;
  // The client (and the signer with the AWS credential chain) loads on first use, so a process
  // that never searches never pays for it.
  const client = () =>
    (clientPromise ??= options.client
      ? Promise.resolve(options.client)
      : makeClient(options.node, options.auth));

  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    extra: { querystring?: Record<string, unknown>; bulk?: boolean; ignore?: number[] } = {},
  ): Promise<{ statusCode: number | null; body: T }> {
    const c = await client();
    const res = await c.transport.request(
      {
        method,
        path,
        ...(body === undefined
          ? {}
          : extra.bulk
            ? { bulkBody: body as Record<string, unknown>[] }
            : { body: body as Record<string, unknown> }),
        ...(extra.querystring ? { querystring: extra.querystring } : {}),
      },
      extra.ignore ? { ignore: extra.ignore } : {},
    );
    return { statusCode: res.statusCode, body: res.body as T };
  }

  let ready: Promise<void> | undefined;
  /** Creates `<alias>_v<time>` with the alias for every kind that has none yet. */
  const ensureIndices = () =>
    (ready ??= (async () => {
      for (const kind of SEARCH_KINDS) {
        const alias = aliasName(prefix, kind);
        const exists = await request("HEAD", `/_alias/${alias}`, undefined, { ignore: [404] });
        if (exists.statusCode === 200) continue;
        const index = `${alias}_v${Date.now()}`;
        await request("PUT", `/${index}`, {
          ...indexSettings(),
          aliases: { [alias]: {} },
        });
        options.log.info({ index, alias }, "opensearch index created");
      }
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));

  async function bulk(
    lines: Record<string, unknown>[],
    wait: string | undefined,
    options: { versionConflicts?: "ok" } = {},
  ) {
    if (lines.length === 0) return;
    const res = await request<{ errors: boolean; items: BulkItem[] }>("POST", "/_bulk", lines, {
      bulk: true,
      ...(wait ? { querystring: { refresh: wait } } : {}),
    });
    checkBulkResponse(res.body, options);
  }

  const aliasFor = (kind: SearchKind) => aliasName(prefix, kind);

  /** The kinds among `refs` whose `_next` alias exists (a reindex is building them). */
  async function kindsRebuilding(refs: readonly DocumentRef[]): Promise<Set<SearchKind>> {
    const kinds = [...new Set(refs.map((r) => r.kind))];
    if (kinds.length === 0) return new Set();
    const res = await request<Record<string, { aliases?: Record<string, unknown> }>>(
      "GET",
      `/_alias/${kinds.map((k) => nextAliasName(prefix, k)).join(",")}`,
      undefined,
      { ignore: [404] },
    );
    const present = new Set(
      Object.values(res.body ?? {}).flatMap((index) => Object.keys(index?.aliases ?? {})),
    );
    return new Set(kinds.filter((k) => present.has(nextAliasName(prefix, k))));
  }

  return {
    kind: "opensearch",

    async upsert(docs, version) {
      await ensureIndices();
      await bulk(
        liveBulkLines(prefix, docs, [], version),
        refresh,
        version !== undefined ? { versionConflicts: "ok" } : {},
      );
    },

    async remove(refs, version) {
      await ensureIndices();
      await bulk(
        liveBulkLines(prefix, [], refs, version, await kindsRebuilding(refs)),
        refresh,
        version !== undefined ? { versionConflicts: "ok" } : {},
      );
    },

    async search<K extends SearchKind>(query: SearchQuery<K>) {
      if (tokenize(query.q).length === 0) return { total: 0, hits: [] };
      await ensureIndices();
      const res = await request<SearchResponseBody>(
        "POST",
        `/${aliasFor(query.kind)}/_search`,
        searchRequestBody(query),
      );
      return parseSearchResponse<K>(res.body, query.q);
    },

    async suggest(query) {
      if (tokenize(query.q).length === 0) return [];
      await ensureIndices();
      const kinds = query.kinds ?? SEARCH_KINDS;
      const res = await request<SearchResponseBody>(
        "POST",
        `/${kinds.map(aliasFor).join(",")}/_search`,
        suggestRequestBody(query),
      );
      return parseSuggestResponse(res.body, query.q);
    },

    async count(kind) {
      await ensureIndices();
      const target = (kind ? [kind] : SEARCH_KINDS).map(aliasFor).join(",");
      const res = await request<{ count: number }>("GET", `/${target}/_count`);
      return res.body.count;
    },

    async digests(kind) {
      await ensureIndices();
      const out = new Map<string, string>();
      let after: unknown[] | undefined;
      // GET with a body: the monitoring function may read (GET, HEAD) and nothing more.
      for (;;) {
        const res = await request<{
          hits: { hits: { _id: string; _source?: { payload?: unknown }; sort?: unknown[] }[] };
        }>("GET", `/${aliasFor(kind)}/_search`, {
          size: DIGEST_PAGE,
          _source: ["payload"],
          sort: [{ id: "asc" }],
          ...(after ? { search_after: after } : {}),
        });
        const hits = res.body.hits.hits;
        for (const hit of hits) out.set(hit._id, documentDigest(hit._source?.payload ?? null));
        if (hits.length < DIGEST_PAGE) return out;
        after = hits[hits.length - 1]!.sort;
      }
    },

    async reindex(batches, onProgress?: (p: ReindexProgress) => void) {
      const version = Date.now();
      const fresh = new Map(SEARCH_KINDS.map((k) => [k, `${aliasFor(k)}_v${version}`]));
      const nextAliases = SEARCH_KINDS.map((k) => nextAliasName(prefix, k));
      // What a reindex that died left behind: its half-built indices, still taking live writes.
      const stale = await request<Record<string, unknown>>(
        "GET",
        `/_alias/${nextAliases.join(",")}`,
        undefined,
        { ignore: [404] },
      );
      const leftovers = Object.keys(stale.body ?? {}).filter((k) => k.startsWith(prefix));
      if (leftovers.length > 0) {
        options.log.warn({ indices: leftovers }, "opensearch: dropping an unfinished reindex");
        await request("DELETE", `/${leftovers.join(",")}`, undefined, { ignore: [404] });
      }
      for (const [kind, index] of fresh) {
        const definition = indexSettings();
        await request("PUT", `/${index}`, {
          ...definition,
          settings: {
            ...definition.settings,
            index: { ...definition.settings.index, gc_deletes: REINDEX_GC_DELETES },
          },
          aliases: { [nextAliasName(prefix, kind)]: {} },
        });
      }
      const counts = new Map<SearchKind, number>();
      let indexed = 0;
      try {
        for await (const batch of batches) {
          await bulk(
            reindexBulkLines((k) => fresh.get(k)!, batch, batch.version),
            undefined,
            { versionConflicts: "ok" },
          );
          indexed += batch.length;
          for (const doc of batch) counts.set(doc.kind, (counts.get(doc.kind) ?? 0) + 1);
          const kind = batch[batch.length - 1]?.kind;
          if (kind && onProgress) onProgress({ kind, indexed: counts.get(kind) ?? 0 });
        }
        await request("POST", `/${[...fresh.values()].join(",")}/_refresh`);
      } catch (error) {
        await request("DELETE", `/${[...fresh.values()].join(",")}`, undefined, {
          ignore: [404],
        });
        throw error;
      }
      // Which indices the aliases point at now, so the swap names them exactly. With some of the
      // aliases missing OpenSearch answers 404 but still lists the ones that exist.
      const current = await request<Record<string, unknown>>(
        "GET",
        `/_alias/${SEARCH_KINDS.map(aliasFor).join(",")}`,
        undefined,
        { ignore: [404] },
      );
      const pointed = Object.entries(current.body ?? {}).filter(
        (e): e is [string, { aliases: Record<string, unknown> }] =>
          typeof e[1] === "object" && e[1] !== null && "aliases" in e[1],
      );
      const old = pointed.map(([index]) => index);
      const actions: unknown[] = [];
      for (const [kind, index] of fresh) {
        const alias = aliasFor(kind);
        for (const [oldIndex, info] of pointed)
          if (alias in info.aliases) actions.push({ remove: { index: oldIndex, alias } });
        actions.push({ add: { index, alias } });
        actions.push({ remove: { index, alias: nextAliasName(prefix, kind) } });
      }
      await request("POST", "/_aliases", { actions });
      if (old.length > 0)
        await request("DELETE", `/${old.join(",")}`, undefined, { ignore: [404] });
      await request("PUT", `/${[...fresh.values()].join(",")}/_settings`, {
        index: { gc_deletes: null },
      });
      ready = Promise.resolve();
      return { indexed };
    },

    async ping() {
      await request("GET", "/_cluster/health");
    },

    async close() {
      if (clientPromise) await (await clientPromise).close();
    },
  };
}

/** For tests and the reindex CLI: the folded form OpenSearch's `title.folded` keyword holds. */
export const foldedKeyword = (text: string) => foldText(text);
