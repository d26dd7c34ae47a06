import { and, asc, desc, eq, gt, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import { rowsOf } from "../db/rows";
import type { Db, Executor } from "../db/types";
import { documentDigest } from "./digest";
import { documentFacets, documentText } from "./fields";
import type {
  DocumentOf,
  DocumentRef,
  ReindexProgress,
  SearchDocument,
  SearchFilters,
  SearchIndex,
  SearchKind,
  SearchQuery,
  SearchResult,
  SearchSort,
  Suggestion,
  SuggestQuery,
} from "./port";
import { searchDocuments, searchTerms, searchTombstones } from "./search.sql";
import { codePoints, highlightWords, tokenize, transpositions, typoBudget } from "./text";

/**
 * The embedded search adapter: PostgreSQL full text over the catalog database (PGlite or a
 * server), so `npm start` needs no search server.
 *
 * - Documents and queries are folded by the same TypeScript function (text.ts); the tsvector
 *   holds the folded title words at weight A and the rest at weight B.
 * - A query word within its typo budget of an indexed word (levenshtein from fuzzystrmatch over
 *   the `search_terms` vocabulary, adjacent swaps counting as one edit) is expanded to that
 *   word; the last query word also matches as a prefix (and a fuzzy prefix from 4 letters).
 * - Ranking: whole title equal to the query, then title starting with it, then every word
 *   exactly in the title, then exactly anywhere, then trigram similarity of the title
 *   (pg_trgm) in tenths, and popularity breaks the ties.
 */

/** At most this many words of a query count (the rest are ignored). */
export const MAX_QUERY_WORDS = 10;
/** Like OpenSearch's fuzzy max_expansions: the closest indexed words per query word. */
const MAX_EXPANSIONS = 50;
const WRITE_BATCH = 500;

interface WordPlan {
  word: string;
  /** Prefix match allowed (the last word: the user may still be typing it). */
  prefix: boolean;
  /** Indexed words within the budget. */
  terms: Set<string>;
  /** Indexed word beginnings within the budget (prefix words only). */
  heads: Set<string>;
}

interface Plan {
  words: WordPlan[];
  normalized: string;
  /** Every word, expanded: what documents must match. */
  match: string;
  /** Every word as typed, in the title. */
  exactTitle: string;
  /** Every word as typed, anywhere. */
  exact: string;
}

const lexeme = (term: string) => `'${term.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

/** The tsvector literal of a document: title words at weight A, the rest at B, with positions. */
export function buildVector(titleWords: string[], bodyWords: string[]): string {
  const positions = new Map<string, string[]>();
  const add = (word: string, pos: number, weight: "A" | "B") => {
    if (pos > 16383) return; // tsvector's position limit
    const list = positions.get(word) ?? [];
    list.push(`${pos}${weight}`);
    positions.set(word, list);
  };
  titleWords.forEach((w, i) => add(w, i + 1, "A"));
  bodyWords.forEach((w, i) => add(w, titleWords.length + i + 1, "B"));
  return [...positions].map(([w, p]) => `${lexeme(w)}:${p.join(",")}`).join(" ");
}

function rowOf(doc: SearchDocument, version: number) {
  const text = documentText(doc);
  const facets = documentFacets(doc);
  const titleWords = tokenize(text.title);
  const bodyWords = tokenize([text.subtitle ?? "", ...text.extra].join(" "));
  return {
    row: {
      kind: doc.kind,
      id: doc.id,
      title: text.title,
      body: [text.subtitle ?? "", ...text.extra].join(" ").trim(),
      titleNorm: titleWords.join(" "),
      searchVector: sql`${buildVector(titleWords, bodyWords)}::tsvector` as unknown as string,
      popularity: facets.popularity,
      genre: facets.genre,
      year: facets.year,
      tempo: facets.tempo,
      durationMs: facets.durationMs,
      createdAt: new Date(facets.createdAt),
      payload: doc,
      updatedAt: new Date(),
      version,
    },
    words: [...titleWords, ...bodyWords],
  };
}

/** How long a removal is remembered (OpenSearch forgets one after `index.gc_deletes`, 60 s). */
const TOMBSTONE_TTL = "1 hour";

/**
 * With `version` (the load's, search/versions.ts) a stored document of that version or newer is
 * kept, and a document removed at that version or later is not brought back. `unchangedSince`: a
 * reindex's batches replace only rows not written since it began, so a batch read from the
 * catalog before a live write cannot undo that write.
 */
async function writeDocuments(
  db: Executor,
  input: readonly SearchDocument[],
  options: { version?: number | undefined; unchangedSince?: Date } = {},
): Promise<void> {
  const { version, unchangedSince } = options;
  const d = searchDocuments;
  let docs = input;
  if (version !== undefined && docs.length > 0) {
    const removed = new Set(
      (await removedSince(db, docs, version)).map((r) => `${r.kind}:${r.id}`),
    );
    if (removed.size > 0) docs = docs.filter((doc) => !removed.has(`${doc.kind}:${doc.id}`));
  }
  for (let i = 0; i < docs.length; i += WRITE_BATCH) {
    const built = docs.slice(i, i + WRITE_BATCH).map((doc) => rowOf(doc, version ?? 0));
    // One row per (kind, id): the last version of a document in a batch wins.
    const rows = [...new Map(built.map((b) => [`${b.row.kind}:${b.row.id}`, b.row])).values()];
    await db
      .insert(d)
      .values(rows)
      .onConflictDoUpdate({
        target: [d.kind, d.id],
        set: Object.fromEntries(
          (
            [
              "title",
              "body",
              "title_norm",
              "search_vector",
              "popularity",
              "genre",
              "year",
              "tempo",
              "duration_ms",
              "created_at",
              "payload",
              "updated_at",
              ...(version !== undefined ? (["version"] as const) : []),
            ] as const
          ).map((c) => [camel(c), sql.raw(`excluded.${c}`)]),
        ),
        setWhere: and(
          version !== undefined ? lt(d.version, version) : undefined,
          unchangedSince ? lt(d.updatedAt, unchangedSince) : undefined,
        ),
      });
    const terms = [...new Set(built.flatMap((b) => b.words))];
    for (let j = 0; j < terms.length; j += 2000) {
      await db
        .insert(searchTerms)
        .values(terms.slice(j, j + 2000).map((term) => ({ term })))
        .onConflictDoNothing();
    }
  }
  if (version !== undefined && docs.length > 0) {
    // A removal of a newer load that landed between the check above and the insert: undo it.
    const t = searchTombstones;
    await db.execute(sql`delete from ${d} using ${t}
      where ${t.kind} = ${d.kind} and ${t.id} = ${d.id} and ${t.version} >= ${d.version}
        and ${d.id} in (${sql.join(
          docs.map((doc) => sql`${doc.id}::uuid`),
          sql`, `,
        )})`);
  }
}

/** The documents among `docs` removed by a load at least as new as `version`. */
async function removedSince(
  db: Executor,
  docs: readonly SearchDocument[],
  version: number,
): Promise<{ kind: string; id: string }[]> {
  const t = searchTombstones;
  const found: { kind: string; id: string }[] = [];
  // By kind, then ids: the (kind, id) primary key answers it without reading the whole table.
  const byKind = new Map<string, string[]>();
  for (const doc of docs) {
    const ids = byKind.get(doc.kind);
    if (ids) ids.push(doc.id);
    else byKind.set(doc.kind, [doc.id]);
  }
  for (const [kind, ids] of byKind)
    for (let i = 0; i < ids.length; i += 1000) {
      found.push(
        ...(await db
          .select({ kind: t.kind, id: t.id })
          .from(t)
          .where(
            and(eq(t.kind, kind), inArray(t.id, ids.slice(i, i + 1000)), gte(t.version, version)),
          )),
      );
    }
  return found;
}

/**
 * Removes documents. With `version`, only those stored by an older load, and each removal is
 * remembered (a tombstone) so an older load's write arriving later is refused.
 */
async function removeDocuments(
  db: Executor,
  refs: readonly DocumentRef[],
  version: number | undefined,
): Promise<void> {
  const d = searchDocuments;
  const t = searchTombstones;
  const byKind = new Map<SearchKind, string[]>();
  for (const r of refs) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.id]);
  for (const [kind, all] of byKind)
    for (let i = 0; i < all.length; i += 1000) {
      const ids = [...new Set(all.slice(i, i + 1000))];
      if (version === undefined) {
        await db.delete(d).where(and(eq(d.kind, kind), inArray(d.id, ids)));
        continue;
      }
      await db
        .insert(t)
        .values(ids.map((id) => ({ kind, id, version })))
        .onConflictDoUpdate({
          target: [t.kind, t.id],
          set: {
            version: sql`greatest(${t.version}, excluded.version)`,
            removedAt: sql`now()`,
          },
        });
      await db.delete(d).where(and(eq(d.kind, kind), inArray(d.id, ids), lt(d.version, version)));
    }
  if (version !== undefined)
    await db.execute(
      sql`delete from ${t} where ${t.removedAt} < now() - ${TOMBSTONE_TTL}::interval`,
    );
}

const camel = (s: string) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

const textArray = (values: readonly string[]) =>
  values.length === 0
    ? sql`array[]::text[]`
    : sql`array[${sql.join(
        values.map((v) => sql`${v}`),
        sql`, `,
      )}]::text[]`;

/** `col` within `k` edits of `word`, an adjacent swap counting as one edit. */
function withinBudget(col: SQL, word: string, k: number): SQL {
  const swaps = transpositions(word);
  return sql`(levenshtein_less_equal(${col}, ${word}, ${k}) <= ${k}
    or ${col} = any(${textArray(swaps)})
    ${k >= 2 ? sql`or exists (select 1 from unnest(${textArray(swaps)}) v where levenshtein_less_equal(${col}, v, ${k - 1}) <= ${k - 1})` : sql``})`;
}

async function planQuery(db: Executor, q: string): Promise<Plan | null> {
  const tokens = tokenize(q).slice(0, MAX_QUERY_WORDS);
  if (tokens.length === 0) return null;
  const words: WordPlan[] = tokens.map((word, i) => ({
    word,
    // A lone letter as a prefix would match a good part of the catalog: from 2 letters on.
    prefix: i === tokens.length - 1 && codePoints(word) >= 2,
    terms: new Set([word]),
    heads: new Set(),
  }));
  // One round trip for every word: whole words within the budget, and (last word) word
  // beginnings within it, each ranked by distance and capped like OpenSearch's max_expansions.
  const t = sql.raw(`"${searchTerms.term.name}"`);
  const parts: SQL[] = [];
  words.forEach((w, i) => {
    const k = typoBudget(w.word);
    if (k === 0) return;
    const n = codePoints(w.word);
    parts.push(sql`(select ${i}::int as i, false as head, ${t} as term from ${searchTerms}
      where char_length(${t}) between ${n - k} and ${n + k} and ${withinBudget(sql`${t}`, w.word, k)}
      order by levenshtein(${t}, ${w.word}), ${t} limit ${MAX_EXPANSIONS})`);
    if (w.prefix)
      parts.push(sql`(select distinct ${i}::int as i, true as head, left(${t}, ${n}) as term
        from ${searchTerms}
        where char_length(${t}) > ${n} and ${withinBudget(sql`left(${t}, ${n})`, w.word, k)}
        limit ${MAX_EXPANSIONS})`);
  });
  if (parts.length > 0) {
    const result = await db.execute(sql.join(parts, sql` union all `));
    const rows = rowsOf<{ i: number; head: boolean; term: string }>(result);
    for (const r of rows) {
      const w = words[Number(r.i)];
      if (!w) continue;
      if (!r.head) w.terms.add(r.term);
      else if (r.term !== w.word) w.heads.add(r.term);
    }
  }
  const clause = (w: WordPlan) =>
    `(${[
      ...[...w.terms].map((t) => (t === w.word && w.prefix ? `${lexeme(t)}:*` : lexeme(t))),
      ...[...w.heads].map((h) => `${lexeme(h)}:*`),
    ].join(" | ")})`;
  return {
    words,
    normalized: tokens.join(" "),
    match: words.map(clause).join(" & "),
    exactTitle: words.map((w) => `${lexeme(w.word)}:${w.prefix ? "*" : ""}A`).join(" & "),
    exact: words.map((w) => `${lexeme(w.word)}${w.prefix ? ":*" : ""}`).join(" & "),
  };
}

/** Whether a folded document word is one the plan matched (for highlighting). */
function matcher(plan: Plan): (folded: string) => boolean {
  return (folded) =>
    plan.words.some(
      (w) =>
        w.terms.has(folded) ||
        (w.prefix && (folded.startsWith(w.word) || [...w.heads].some((h) => folded.startsWith(h)))),
    );
}

function filterConditions(f: SearchFilters | undefined): (SQL | undefined)[] {
  const d = searchDocuments;
  if (!f) return [];
  return [
    f.genre !== undefined ? eq(d.genre, f.genre) : undefined,
    f.yearFrom !== undefined ? gte(d.year, f.yearFrom) : undefined,
    f.yearTo !== undefined ? lte(d.year, f.yearTo) : undefined,
    f.tempoFrom !== undefined ? gte(d.tempo, f.tempoFrom) : undefined,
    f.tempoTo !== undefined ? lte(d.tempo, f.tempoTo) : undefined,
    f.durationFromMs !== undefined ? gte(d.durationMs, f.durationFromMs) : undefined,
    f.durationToMs !== undefined ? lte(d.durationMs, f.durationToMs) : undefined,
  ];
}

function scoreOf(plan: Plan): SQL<number> {
  const d = searchDocuments;
  return sql<number>`((case when ${d.titleNorm} = ${plan.normalized} then 8 else 0 end)
    + (case when ${d.titleNorm} like ${plan.normalized + "%"} then 4 else 0 end)
    + (case when ${d.searchVector} @@ ${plan.exactTitle}::tsquery then 2 else 0 end)
    + (case when ${d.searchVector} @@ ${plan.exact}::tsquery then 1 else 0 end)
    + round(similarity(${d.titleNorm}, ${plan.normalized})::numeric, 1))::float8`;
}

function orderFor(sort: SearchSort, score: SQL): SQL[] {
  const d = searchDocuments;
  switch (sort) {
    case "popularity":
      return [desc(d.popularity), sql`${score} desc`, asc(d.id)];
    case "newest":
      return [sql`${d.createdAt} desc nulls last`, sql`${score} desc`, asc(d.id)];
    case "relevance":
      return [sql`${score} desc`, desc(d.popularity), asc(d.id)];
  }
}

const DIGEST_PAGE = 2000;

export function createPostgresSearchIndex(db: Db): SearchIndex {
  const d = searchDocuments;
  return {
    kind: "postgres",

    upsert: (docs, version) => writeDocuments(db, docs, { version }),

    remove: (refs, version) => removeDocuments(db, refs, version),

    async search<K extends SearchKind>(query: SearchQuery<K>) {
      const plan = await planQuery(db, query.q);
      const empty: SearchResult<DocumentOf<K>> = { total: 0, hits: [] };
      if (!plan) return empty;
      const score = scoreOf(plan);
      const where = and(
        eq(d.kind, query.kind),
        sql`${d.searchVector} @@ ${plan.match}::tsquery`,
        ...filterConditions(query.filters),
      );
      const rows = await db
        .select({
          payload: d.payload,
          score,
          total: sql<number>`count(*) over ()`.mapWith(Number),
        })
        .from(d)
        .where(where)
        .orderBy(...orderFor(query.sort ?? "relevance", score))
        .limit(query.limit)
        .offset(query.offset);
      let total = rows[0]?.total ?? 0;
      if (rows.length === 0 && query.offset > 0) {
        const [c] = await db
          .select({ n: sql<number>`count(*)`.mapWith(Number) })
          .from(d)
          .where(where);
        total = c?.n ?? 0;
      }
      const matches = matcher(plan);
      return {
        total,
        hits: rows.map((r) => {
          const doc = r.payload as DocumentOf<K>;
          const text = documentText(doc);
          const subtitle = text.subtitle ? highlightWords(text.subtitle, matches) : undefined;
          return {
            document: doc,
            score: Number(r.score),
            highlight: {
              title: highlightWords(text.title, matches),
              ...(subtitle?.includes("<mark>") ? { subtitle } : {}),
            },
          };
        }),
      };
    },

    async suggest(query: SuggestQuery): Promise<Suggestion[]> {
      const plan = await planQuery(db, query.q);
      if (!plan) return [];
      const score = scoreOf(plan);
      const rows = await db
        .select({ payload: d.payload, score })
        .from(d)
        .where(
          and(
            query.kinds ? inArray(d.kind, [...query.kinds]) : undefined,
            sql`${d.searchVector} @@ ${plan.match}::tsquery`,
          ),
        )
        .orderBy(sql`${score} desc`, desc(d.popularity), asc(d.titleNorm), asc(d.id))
        .limit(query.limit);
      const matches = matcher(plan);
      return rows.map((r) => {
        const doc = r.payload as SearchDocument;
        const text = documentText(doc);
        return {
          kind: doc.kind,
          id: doc.id,
          text: text.title,
          subtitle: text.subtitle,
          highlight: highlightWords(text.title, matches),
        };
      });
    },

    async count(kind?: SearchKind) {
      const [row] = await db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(d)
        .where(kind ? eq(d.kind, kind) : undefined);
      return row?.n ?? 0;
    },

    async digests(kind: SearchKind) {
      const out = new Map<string, string>();
      let after: string | undefined;
      for (;;) {
        const rows = await db
          .select({ id: d.id, payload: d.payload })
          .from(d)
          .where(and(eq(d.kind, kind), after ? gt(d.id, after) : undefined))
          .orderBy(asc(d.id))
          .limit(DIGEST_PAGE);
        for (const r of rows) out.set(r.id, documentDigest(r.payload));
        if (rows.length < DIGEST_PAGE) return out;
        after = rows[rows.length - 1]!.id;
      }
    },

    async reindex(batches, onProgress?: (p: ReindexProgress) => void) {
      // Documents are replaced in place, so searches keep answering during a rebuild; what the
      // catalog no longer has (not rewritten since the start) goes at the end, with its words.
      const startedAt = new Date(Date.now() - 1);
      const counts = new Map<SearchKind, number>();
      let indexed = 0;
      for await (const batch of batches) {
        await writeDocuments(db, batch, { version: batch.version, unchangedSince: startedAt });
        indexed += batch.length;
        for (const doc of batch) counts.set(doc.kind, (counts.get(doc.kind) ?? 0) + 1);
        const kind = batch[batch.length - 1]?.kind;
        if (kind && onProgress) onProgress({ kind, indexed: counts.get(kind) ?? 0 });
      }
      await db.delete(d).where(lt(d.updatedAt, startedAt));
      await db.execute(
        sql`delete from ${searchTerms} where not exists (select 1 from ${d} where ${d.searchVector} @@ quote_literal(${searchTerms.term})::tsquery)`,
      );
      return { indexed };
    },

    async ping() {
      await db
        .select({ n: sql`1` })
        .from(d)
        .limit(1);
    },

    async close() {
      // The catalog database is owned (and closed) by the runtime.
    },
  };
}
