import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import { checkBulkResponse, createOpenSearchIndex, FUZZINESS, liveBulkLines } from "./opensearch";
import type { SearchIndex, TrackDocument } from "./port";

/**
 * The OpenSearch adapter through the real client, against a scripted HTTP server that answers
 * with the response shapes of the OpenSearch 2.x documentation (index, bulk, search, count,
 * aliases, refresh). No OpenSearch runs here: analysis and scoring themselves are covered by
 * the contract suite when OPENSEARCH_URL is set.
 */

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  text: string;
}

type Reply = { status: number; body?: unknown };
let handler: (r: Recorded) => Reply = () => ({ status: 500 });
const requests: Recorded[] = [];
let server: Server;
let node = "";

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const url = new URL(req.url ?? "/", "http://x");
      const r: Recorded = {
        method: req.method ?? "GET",
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        contentType: req.headers["content-type"],
        text,
      };
      requests.push(r);
      const reply = handler(r);
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  node = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
});

const shards = { total: 2, successful: 1, failed: 0 };
const json = (r: Recorded) => JSON.parse(r.text) as Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- request bodies are arbitrary JSON
const body = (r: Recorded | undefined): any => (r ? json(r) : undefined);
const ndjson = (r: Recorded) =>
  r.text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const aurora: TrackDocument = {
  kind: "track",
  id: randomUUID(),
  title: "Aurora Drift",
  artist: { id: randomUUID(), name: "Nadia Lindqvist" },
  album: { id: randomUUID(), title: "Northern Static" },
  genre: { slug: "electronic", name: "Electronic" },
  year: 2023,
  tempo: 122,
  durationMs: 245_000,
  popularity: 80,
  coverUrl: null,
  hasAudio: true,
  createdAt: "2025-03-01T00:00:00.000Z",
};
const yolka: TrackDocument = {
  ...aurora,
  id: randomUUID(),
  title: "Ёлка во дворе",
  artist: { id: randomUUID(), name: "Белые Ночи" },
  album: null,
  genre: null,
};

/** A server with indices behind aliases, answering as OpenSearch 2.x does. */
function cluster(
  state: { aliases: Record<string, string> },
  overrides: Partial<Record<string, (r: Recorded) => Reply>> = {},
) {
  return (r: Recorded): Reply => {
    const key = `${r.method} ${r.path}`;
    for (const [pattern, fn] of Object.entries(overrides))
      if (new RegExp(`^${pattern}$`).test(key)) return fn!(r);
    if (r.method === "HEAD" && r.path.startsWith("/_alias/")) {
      const alias = r.path.slice("/_alias/".length);
      return { status: alias in state.aliases ? 200 : 404 };
    }
    if (r.method === "GET" && r.path.startsWith("/_alias/")) {
      const out: Record<string, { aliases: Record<string, object> }> = {};
      for (const alias of r.path.slice("/_alias/".length).split(",")) {
        const index = state.aliases[alias];
        if (index) out[index] = { aliases: { ...out[index]?.aliases, [alias]: {} } };
      }
      const missing = r.path
        .slice("/_alias/".length)
        .split(",")
        .filter((alias) => !state.aliases[alias]);
      // As OpenSearch does: 404 when any is missing, still listing the ones that exist.
      return missing.length === 0
        ? { status: 200, body: out }
        : {
            status: 404,
            body: { error: `alias [${missing.join(",")}] missing`, status: 404, ...out },
          };
    }
    if (r.method === "PUT") {
      const index = r.path.slice(1);
      const aliases = (json(r)["aliases"] ?? {}) as Record<string, object>;
      for (const alias of Object.keys(aliases)) state.aliases[alias] = index;
      return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index } };
    }
    if (r.method === "POST" && r.path === "/_bulk") {
      const lines = ndjson(r);
      const items = lines
        .filter((l) => "index" in l || "delete" in l)
        .map((l) => {
          const [action, meta] = Object.entries(l)[0] as [string, { _index: string; _id: string }];
          return {
            [action]: {
              _index: meta._index,
              _id: meta._id,
              _version: 1,
              result: action === "delete" ? "not_found" : "created",
              _shards: shards,
              _seq_no: 0,
              _primary_term: 1,
              status: action === "delete" ? 404 : 201,
            },
          };
        });
      return { status: 200, body: { took: 11, errors: false, items } };
    }
    if (r.method === "POST" && r.path === "/_aliases") {
      for (const action of json(r)["actions"] as Record<
        string,
        { index: string; alias: string }
      >[]) {
        if (action["remove"]) delete state.aliases[action["remove"].alias];
        if (action["add"]) state.aliases[action["add"].alias] = action["add"].index;
      }
      return { status: 200, body: { acknowledged: true } };
    }
    if (r.method === "POST" && r.path.endsWith("/_refresh"))
      return { status: 200, body: { _shards: shards } };
    if (r.method === "DELETE") {
      const gone = r.path.slice(1).split(",");
      for (const [alias, index] of Object.entries(state.aliases))
        if (gone.includes(index)) delete state.aliases[alias];
      return { status: 200, body: { acknowledged: true } };
    }
    if (r.method === "GET" && r.path.endsWith("/_count"))
      return { status: 200, body: { count: 3, _shards: { ...shards, skipped: 0 } } };
    if (r.method === "GET" && r.path === "/_cluster/health")
      return {
        status: 200,
        body: { cluster_name: "opensearch", status: "green", number_of_nodes: 1 },
      };
    if (r.method === "POST" && r.path.endsWith("/_search"))
      return {
        status: 200,
        body: {
          took: 5,
          timed_out: false,
          _shards: { ...shards, skipped: 0 },
          hits: {
            total: { value: 2, relation: "eq" },
            max_score: 9.1,
            hits: [aurora, yolka].map((doc, i) => ({
              _index: "jqt_tracks_v1",
              _id: doc.id,
              _score: 9.1 - i,
              _source: { payload: doc },
            })),
          },
        },
      };
    return { status: 400, body: { error: { type: "illegal_argument_exception", reason: key } } };
  };
}

function open(): SearchIndex {
  return createOpenSearchIndex({ node, indexPrefix: "jqt_", log: createLogger("silent") });
}

describe("OpenSearch adapter (scripted server, OpenSearch 2.x response shapes)", () => {
  it("creates each kind's index with the analyzers and its alias on first use", async () => {
    const state = { aliases: {} as Record<string, string> };
    handler = cluster(state);
    const index = open();
    await index.upsert([aurora]);
    const created = requests.filter((r) => r.method === "PUT");
    expect(created.map((r) => r.path.replace(/_v\d+$/, "_v*"))).toEqual([
      "/jqt_tracks_v*",
      "/jqt_artists_v*",
      "/jqt_albums_v*",
      "/jqt_playlists_v*",
    ]);
    const def = body(created[0]);
    expect(def.aliases).toEqual({ jqt_tracks: {} });
    const analysis = def.settings.analysis;
    expect(analysis.char_filter.jq_yo).toEqual({ type: "mapping", mappings: ["ё => е", "Ё => Е"] });
    expect(analysis.analyzer.jq_text).toMatchObject({
      tokenizer: "standard",
      char_filter: ["jq_yo"],
      filter: ["lowercase", "asciifolding"],
    });
    expect(analysis.analyzer.jq_prefix.filter).toEqual(["lowercase", "asciifolding", "jq_edge"]);
    expect(analysis.filter.jq_edge).toMatchObject({ type: "edge_ngram", min_gram: 1 });
    expect(analysis.normalizer.jq_folded).toEqual({
      type: "custom",
      char_filter: ["jq_yo", "jq_words"],
      filter: ["lowercase", "asciifolding", "trim"],
    });
    expect(analysis.char_filter.jq_words).toEqual({
      type: "pattern_replace",
      pattern: "[^\\p{L}\\p{N}]+",
      replacement: " ",
    });
    expect(def.mappings.properties.title.fields.prefix).toEqual({
      type: "text",
      analyzer: "jq_prefix",
      search_analyzer: "jq_text",
    });
    expect(def.mappings.properties.payload).toEqual({ type: "object", enabled: false });
    // A second write does not create anything again.
    requests.length = 0;
    await index.upsert([yolka]);
    expect(requests.map((r) => r.method)).toEqual(["POST"]);
    await index.close();
  });

  it("writes documents as NDJSON bulk actions through the alias, visible to the next search", async () => {
    handler = cluster({
      aliases: { jqt_tracks: "a", jqt_artists: "b", jqt_albums: "c", jqt_playlists: "d" },
    });
    const index = open();
    await index.upsert([aurora]);
    await index.remove([{ kind: "track", id: yolka.id }]);
    const bulks = requests.filter((r) => r.path === "/_bulk");
    expect(bulks).toHaveLength(2);
    expect(bulks[0]!.contentType).toContain("application/x-ndjson");
    expect(bulks[0]!.query.get("refresh")).toBe("wait_for");
    const [action, doc, next, again] = ndjson(bulks[0]!);
    expect(action).toEqual({ index: { _index: "jqt_tracks", _id: aurora.id } });
    // And through the alias of a reindex's new index, only if one runs (require_alias).
    expect(next).toEqual({
      index: { _index: "jqt_tracks_next", _id: aurora.id, require_alias: true },
    });
    expect(again).toEqual(doc);
    expect(doc).toMatchObject({
      kind: "track",
      id: aurora.id,
      title: "Aurora Drift",
      subtitle: "Nadia Lindqvist",
      genre: "electronic",
      year: 2023,
      tempo: 122,
      durationMs: 245_000,
      popularity: 80,
      payload: aurora,
    });
    expect(doc!["all"]).toContain("Northern Static");
    // Removing a document that is not there (404 in the item) is not an error; no reindex
    // runs (no `_next` alias), so nothing is deleted through it.
    expect(ndjson(bulks[1]!)).toEqual([{ delete: { _index: "jqt_tracks", _id: yolka.id } }]);
    await index.close();
  });

  it("throws on failed bulk items, naming the first reason", async () => {
    handler = cluster(
      { aliases: { jqt_tracks: "a", jqt_artists: "b", jqt_albums: "c", jqt_playlists: "d" } },
      {
        "POST /_bulk": () => ({
          status: 200,
          body: {
            took: 3,
            errors: true,
            items: [
              {
                index: {
                  _index: "jqt_tracks_v1",
                  _id: aurora.id,
                  status: 400,
                  error: {
                    type: "mapper_parsing_exception",
                    reason: "failed to parse field [year] of type [short]",
                  },
                },
              },
            ],
          },
        }),
      },
    );
    const index = open();
    await expect(index.upsert([aurora])).rejects.toThrow(
      /1 item\(s\) failed.*mapper_parsing_exception: failed to parse field \[year\]/,
    );
    await index.close();
  });

  it("searches with fuzziness AUTO:4,8, every word required, filters and sort, and parses hits", async () => {
    handler = cluster({
      aliases: { jqt_tracks: "a", jqt_artists: "b", jqt_albums: "c", jqt_playlists: "d" },
    });
    const index = open();
    const result = await index.search({
      kind: "track",
      q: "Aurora drfit",
      filters: {
        genre: "electronic",
        yearFrom: 2020,
        yearTo: 2024,
        tempoFrom: 100,
        durationToMs: 300_000,
      },
      sort: "relevance",
      limit: 10,
      offset: 20,
    });
    const req = requests.find((r) => r.path.endsWith("/_search"))!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/jqt_tracks/_search");
    const sent = body(req);
    expect(sent).toMatchObject({ from: 20, size: 10, track_total_hits: true });
    const must = sent.query.bool.must[0].bool.should;
    expect(must).toEqual([
      {
        match: {
          all: expect.objectContaining({
            query: "Aurora drfit",
            operator: "and",
            fuzziness: FUZZINESS,
          }),
        },
      },
      {
        match: {
          "all.prefix": expect.objectContaining({
            query: "Aurora drfit",
            operator: "and",
            fuzziness: "AUTO:4,8",
          }),
        },
      },
    ]);
    expect(sent.query.bool.should[0]).toEqual({
      term: { "title.folded": { value: "aurora drfit", boost: 8 } },
    });
    expect(sent.query.bool.filter).toEqual([
      { term: { genre: "electronic" } },
      { range: { year: { gte: 2020, lte: 2024 } } },
      { range: { tempo: { gte: 100 } } },
      { range: { durationMs: { lte: 300_000 } } },
    ]);
    expect(sent.sort).toEqual([
      { _score: { order: "desc" } },
      { popularity: { order: "desc" } },
      { id: { order: "asc" } },
    ]);
    expect(result.total).toBe(2);
    expect(result.hits.map((h) => h.document.title)).toEqual(["Aurora Drift", "Ёлка во дворе"]);
    expect(result.hits[0]).toMatchObject({
      score: 9.1,
      highlight: { title: "<mark>Aurora</mark> <mark>Drift</mark>" },
    });
    expect(result.hits[1]!.highlight).toEqual({ title: "Ёлка во дворе" });

    requests.length = 0;
    await index.search({ kind: "track", q: "ёлка", sort: "newest", limit: 5, offset: 0 });
    expect(body(requests[0]).sort[0]).toEqual({ createdAt: { order: "desc", missing: "_last" } });
    await index.search({ kind: "track", q: "ёлка", sort: "popularity", limit: 5, offset: 0 });
    expect(body(requests[1]).sort[0]).toEqual({ popularity: { order: "desc" } });
    await index.close();
  });

  it("suggests across the kinds asked for, and counts", async () => {
    handler = cluster({
      aliases: { jqt_tracks: "a", jqt_artists: "b", jqt_albums: "c", jqt_playlists: "d" },
    });
    const index = open();
    const suggestions = await index.suggest({ q: "au", kinds: ["track", "artist"], limit: 5 });
    expect(requests.at(-1)!.path).toBe("/jqt_tracks,jqt_artists/_search");
    expect(body(requests.at(-1)).size).toBe(5);
    expect(suggestions[0]).toEqual({
      kind: "track",
      id: aurora.id,
      text: "Aurora Drift",
      subtitle: "Nadia Lindqvist",
      highlight: "<mark>Aurora</mark> Drift",
    });
    expect(await index.count("track")).toBe(3);
    expect(requests.at(-1)!.path).toBe("/jqt_tracks/_count");
    requests.length = 0;
    expect(await index.search({ kind: "track", q: "?!", limit: 5, offset: 0 })).toEqual({
      total: 0,
      hits: [],
    });
    expect(requests).toHaveLength(0);
    await index.close();
  });

  it("reindexes into new indices and swaps every alias in one request", async () => {
    const state = {
      aliases: {
        jqt_tracks: "jqt_tracks_v1",
        jqt_artists: "jqt_artists_v1",
        jqt_albums: "jqt_albums_v1",
        jqt_playlists: "jqt_playlists_v1",
      } as Record<string, string>,
    };
    handler = cluster(state);
    const index = open();
    async function* batches() {
      yield [aurora];
      yield [yolka];
    }
    const progress: number[] = [];
    const { indexed } = await index.reindex(batches(), (p) => progress.push(p.indexed));
    expect(indexed).toBe(2);
    expect(progress).toEqual([1, 2]);
    const seq = requests.map((r) => `${r.method} ${r.path.replace(/_v\d{5,}/g, "_vNEW")}`);
    expect(seq).toEqual([
      "GET /_alias/jqt_tracks_next,jqt_artists_next,jqt_albums_next,jqt_playlists_next",
      "PUT /jqt_tracks_vNEW",
      "PUT /jqt_artists_vNEW",
      "PUT /jqt_albums_vNEW",
      "PUT /jqt_playlists_vNEW",
      "POST /_bulk",
      "POST /_bulk",
      "POST /jqt_tracks_vNEW,jqt_artists_vNEW,jqt_albums_vNEW,jqt_playlists_vNEW/_refresh",
      "GET /_alias/jqt_tracks,jqt_artists,jqt_albums,jqt_playlists",
      "POST /_aliases",
      "DELETE /jqt_tracks_v1,jqt_artists_v1,jqt_albums_v1,jqt_playlists_v1",
      "PUT /jqt_tracks_vNEW,jqt_artists_vNEW,jqt_albums_vNEW,jqt_playlists_vNEW/_settings",
    ]);
    // New indices carry only the `_next` alias (live writes) until the swap, and remember
    // removals while the rebuild lasts; batches go to them with external version 1, no refresh.
    expect(body(requests[1]).aliases).toEqual({ jqt_tracks_next: {} });
    expect(body(requests[1]).settings.index.gc_deletes).toBe("12h");
    const bulk = requests.find((r) => r.path === "/_bulk")!;
    expect(ndjson(bulk)[0]).toEqual({
      index: {
        _index: expect.stringMatching(/^jqt_tracks_v\d+$/),
        _id: aurora.id,
        version: 1,
        version_type: "external",
      },
    });
    expect(bulk.query.get("refresh")).toBeNull();
    const actions = body(requests.find((r) => r.path === "/_aliases")).actions;
    expect(actions).toHaveLength(12);
    expect(actions[0]).toEqual({ remove: { index: "jqt_tracks_v1", alias: "jqt_tracks" } });
    expect(actions[1]).toEqual({
      add: { index: expect.stringMatching(/^jqt_tracks_v\d+$/), alias: "jqt_tracks" },
    });
    expect(actions[2]).toEqual({
      remove: { index: expect.stringMatching(/^jqt_tracks_v\d+$/), alias: "jqt_tracks_next" },
    });
    expect(body(requests.at(-1))).toEqual({ index: { gc_deletes: null } });
    expect(state.aliases["jqt_tracks"]).toMatch(/^jqt_tracks_v\d+$/);
    expect(state.aliases["jqt_tracks"]).not.toBe("jqt_tracks_v1");
    await index.close();
  });

  it("moves the aliases that exist when others are missing (404 with a partial body)", async () => {
    const state = { aliases: { jqt_tracks: "jqt_tracks_v1" } as Record<string, string> };
    handler = cluster(state);
    const index = open();
    async function* batches() {
      yield [aurora];
    }
    await index.reindex(batches());
    const actions = body(requests.find((r) => r.path === "/_aliases")).actions;
    expect(actions).toHaveLength(9);
    expect(actions[0]).toEqual({ remove: { index: "jqt_tracks_v1", alias: "jqt_tracks" } });
    expect(requests.at(-2)).toMatchObject({ method: "DELETE", path: "/jqt_tracks_v1" });
    expect(Object.keys(state.aliases).sort()).toEqual([
      "jqt_albums",
      "jqt_artists",
      "jqt_playlists",
      "jqt_tracks",
    ]);
    await index.close();
  });

  it("drops what an unfinished reindex left (its `_next` indices) before starting", async () => {
    const state = {
      aliases: { jqt_tracks: "jqt_tracks_v1", jqt_tracks_next: "jqt_tracks_v2" } as Record<
        string,
        string
      >,
    };
    handler = cluster(state);
    const index = open();
    async function* batches() {
      yield [aurora];
    }
    await index.reindex(batches());
    expect(requests[1]).toMatchObject({ method: "DELETE", path: "/jqt_tracks_v2" });
    expect(Object.keys(state.aliases)).not.toContain("jqt_tracks_next");
    await index.close();
  });

  it("accepts a missing `_next` alias, and version conflicts only in a reindex batch", () => {
    const item = (status: number, type: string, _index = "jqt_tracks_v1") => ({
      index: { _index, _id: "x", status, error: { type, reason: "r" } },
    });
    const missingNext = item(404, "index_not_found_exception", "jqt_tracks_next");
    expect(() => checkBulkResponse({ errors: true, items: [missingNext] })).not.toThrow();
    expect(() =>
      checkBulkResponse({ errors: true, items: [item(404, "index_not_found_exception")] }),
    ).toThrow(/index_not_found_exception/);
    const conflict = item(409, "version_conflict_engine_exception");
    expect(() => checkBulkResponse({ errors: true, items: [conflict] })).toThrow(
      /version_conflict/,
    );
    expect(() =>
      checkBulkResponse({ errors: true, items: [conflict] }, { versionConflicts: "ok" }),
    ).not.toThrow();
  });

  it("deletes through the `_next` alias only while that kind is rebuilt (a versioned delete would create the index)", () => {
    const gone = [{ kind: "track" as const, id: "gone" }];
    const deletes = (rebuilding?: Set<"track">) =>
      liveBulkLines("jqt_", [aurora], gone, 7, rebuilding).flatMap((l) =>
        "delete" in l ? [l["delete"] as Record<string, unknown>] : [],
      );
    // No reindex runs: OpenSearch would auto-create `jqt_tracks_next` for an externally
    // versioned delete (the AWS default allows automatic creation), breaking the next reindex.
    expect(deletes()).toEqual([
      { _index: "jqt_tracks", _id: "gone", version: 7, version_type: "external" },
    ]);
    expect(deletes(new Set(["track"])).map((d) => [d._index, d.version])).toEqual([
      ["jqt_tracks", 7],
      ["jqt_tracks_next", 7],
    ]);
    const indexes = liveBulkLines("jqt_", [aurora], [], 7).flatMap((l) =>
      "index" in l ? [l["index"] as Record<string, unknown>] : [],
    );
    expect(indexes.map((i) => [i._index, i.version, i.require_alias])).toEqual([
      ["jqt_tracks", 7, undefined],
      ["jqt_tracks_next", 7, true],
    ]);
  });

  it("drops the new indices and keeps the aliases when a reindex fails", async () => {
    const state = { aliases: { jqt_tracks: "jqt_tracks_v1" } as Record<string, string> };
    handler = cluster(state, {
      "POST /_bulk": () => ({
        status: 429,
        body: { error: { type: "es_rejected_execution_exception" }, status: 429 },
      }),
    });
    const index = createOpenSearchIndex({
      node,
      indexPrefix: "jqt_",
      log: createLogger("silent"),
    });
    async function* batches() {
      yield [aurora];
    }
    await expect(index.reindex(batches())).rejects.toThrow();
    expect(requests.at(-1)!.method).toBe("DELETE");
    expect(requests.some((r) => r.path === "/_aliases")).toBe(false);
    expect(state.aliases["jqt_tracks"]).toBe("jqt_tracks_v1");
    await index.close();
  });

  it("reports a failing cluster as an error (the API answers 503)", async () => {
    handler = () => ({
      status: 503,
      body: { error: { type: "cluster_block_exception" }, status: 503 },
    });
    const index = open();
    await expect(index.ping()).rejects.toThrow();
    await expect(
      index.search({ kind: "track", q: "aurora", limit: 5, offset: 0 }),
    ).rejects.toThrow();
    await index.close();
  });
});
