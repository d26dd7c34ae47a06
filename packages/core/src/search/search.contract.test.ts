import { hasPostgres, openTestDatabase, type DbKind } from "@jonquils/local/testing/harness";
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogDatabase } from "../db/types";
import { createLogger } from "../logger";
import { documentDigest } from "./digest";
import { createOpenSearchIndex } from "./opensearch";
import type {
  AlbumDocument,
  ArtistDocument,
  PlaylistDocument,
  SearchDocument,
  SearchIndex,
  TrackDocument,
} from "./port";
import { createPostgresSearchIndex } from "./postgres";
import { editDistance } from "./text";

/**
 * One corpus and one set of queries, every reachable adapter: the embedded index on PGlite
 * always, on the PostgreSQL server when DATABASE_URL is set, and OpenSearch when
 * OPENSEARCH_URL is set (scripts/servers/opensearch.sh installs and starts OpenSearch 2.19).
 */

const openSearchUrl = process.env["OPENSEARCH_URL"] || undefined;
if (!openSearchUrl)
  console.info(
    '\n[jonquils] OpenSearch contract cases skipped: `bash scripts/servers/opensearch.sh up` and eval "$(bash scripts/servers/opensearch.sh env)" to run them.\n',
  );

interface Adapter {
  name: string;
  open(): Promise<{ index: SearchIndex; close(): Promise<void> }>;
}

const onDatabase = (kind: DbKind): Adapter => ({
  name: `postgres-fts on ${kind}`,
  async open() {
    const catalog: CatalogDatabase = await openTestDatabase(kind);
    return { index: createPostgresSearchIndex(catalog.db), close: () => catalog.close() };
  },
});

const adapters: Adapter[] = [onDatabase("pglite")];
if (hasPostgres()) adapters.push(onDatabase("postgres"));
if (openSearchUrl)
  adapters.push({
    name: "opensearch",
    async open() {
      const prefix = `jqtest_${randomBytes(4).toString("hex")}_`;
      const index = createOpenSearchIndex({
        node: openSearchUrl,
        indexPrefix: prefix,
        log: createLogger("silent"),
      });
      return {
        index,
        async close() {
          await fetch(`${openSearchUrl.replace(/\/$/, "")}/${prefix}*`, { method: "DELETE" });
          await index.close();
        },
      };
    },
  });

// ---------------------------------------------------------------- corpus

const ids = new Map<string, string>();
const id = (key: string) => {
  let v = ids.get(key);
  if (!v) ids.set(key, (v = randomUUID()));
  return v;
};
const ref = (name: string) => ({ id: id(`artist:${name}`), name });

function track(
  title: string,
  artist: string,
  extra: Partial<Omit<TrackDocument, "kind" | "id" | "title" | "artist">> = {},
): TrackDocument {
  return {
    kind: "track",
    id: id(`track:${title}`),
    title,
    artist: ref(artist),
    album: null,
    genre: null,
    year: 2020,
    tempo: 120,
    durationMs: 200_000,
    popularity: 10,
    coverUrl: null,
    hasAudio: true,
    createdAt: "2025-01-01T00:00:00.000Z",
    ...extra,
  };
}

const genre = (slug: string) => ({ slug, name: slug[0]!.toUpperCase() + slug.slice(1) });

const tracks: TrackDocument[] = [
  track("Aurora Drift", "Nadia Lindqvist", {
    album: { id: id("album:Northern Static"), title: "Northern Static" },
    genre: genre("electronic"),
    year: 2023,
    tempo: 122,
    durationMs: 245_000,
    popularity: 80,
    createdAt: "2025-03-01T00:00:00.000Z",
  }),
  track("Aurora", "The Miles Trio", {
    genre: genre("jazz"),
    year: 2019,
    popularity: 10,
    createdAt: "2025-05-01T00:00:00.000Z",
  }),
  track("Midnight Sun Protocol", "Nadia Lindqvist", {
    genre: genre("electronic"),
    year: 2023,
    tempo: 126,
    durationMs: 301_000,
    popularity: 60,
  }),
  track("Glass Lake", "Nadia Lindqvist", { genre: genre("ambient"), year: 2025, tempo: 64 }),
  track("Snowfield", "Nadia Lindqvist", { popularity: 50, tempo: 96, durationMs: 198_000 }),
  track("Snow", "The Miles Trio", { popularity: 20, durationMs: 120_000 }),
  track("Satellite", "The Miles Trio", { year: 2010, popularity: 70 }),
  track("Ёлка во дворе", "Белые Ночи", { genre: genre("indie"), year: 2021, tempo: 140 }),
  track("Звёздная пыль", "Белые Ночи", { genre: genre("indie"), year: 2021 }),
  track("Çok Güzel", "Deniz Yıldız", { genre: genre("pop"), year: 2018 }),
  track("Crème Brûlée", "Белые Ночи", {
    album: { id: id("album:Café Société"), title: "Café Société" },
    genre: genre("rock"),
    year: 2024,
  }),
  track("Déjà Vu", "Белые Ночи", { genre: genre("rock"), year: 2024, tempo: 128 }),
  track("Walking on 52nd", "The Miles Trio", { genre: genre("jazz"), year: 2019, tempo: 168 }),
  track("<b>Bold</b> & Co", "The Miles Trio", { popularity: 1 }),
  track("Quiet Harbour", "Paper Boats", { popularity: 5 }),
  track("Harbour Lights", "Paper Boats", {
    album: { id: id("album:Quiet Harbour"), title: "Quiet Harbour" },
    popularity: 90,
  }),
];

const artists: ArtistDocument[] = [
  "Nadia Lindqvist",
  "Белые Ночи",
  "The Miles Trio",
  "Deniz Yıldız",
].map((name, i) => ({
  kind: "artist",
  id: id(`artist:${name}`),
  name,
  country: null,
  imageUrl: null,
  trackCount: 3,
  popularity: 90 - i * 10,
  createdAt: "2024-01-01T00:00:00.000Z",
}));

const albums: AlbumDocument[] = [
  ["Northern Static", "Nadia Lindqvist", 2023],
  ["Café Société", "Белые Ночи", 2024],
  ["Разводные мосты", "Белые Ночи", 2021],
].map(([title, artist, year]) => ({
  kind: "album",
  id: id(`album:${title}`),
  title: title as string,
  artist: ref(artist as string),
  year: year as number,
  coverImageUrl: null,
  trackCount: 3,
  popularity: 40,
  createdAt: "2024-01-01T00:00:00.000Z",
}));

const playlists: PlaylistDocument[] = [
  {
    kind: "playlist",
    id: id("playlist:late"),
    title: "Late night favourites",
    description: "Quiet things for after midnight.",
    owner: { id: randomUUID(), username: "listener" },
    trackCount: 7,
    popularity: 0,
    createdAt: "2024-01-01T00:00:00.000Z",
  },
];

const corpus: SearchDocument[] = [...tracks, ...artists, ...albums, ...playlists];

// ---------------------------------------------------------------- cases

describe.each(adapters)("search contract ($name)", (adapter) => {
  let index: SearchIndex;
  let opened: Awaited<ReturnType<Adapter["open"]>> | undefined;

  beforeAll(async () => {
    opened = await adapter.open();
    index = opened.index;
    await index.upsert(corpus);
  });
  afterAll(() => opened?.close());

  const trackTitles = async (q: string, extra: Record<string, unknown> = {}) =>
    (await index.search({ kind: "track", q, limit: 20, offset: 0, ...extra })).hits.map(
      (h) => h.document.title,
    );

  it("counts what it holds, per kind", async () => {
    expect(await index.count("track")).toBe(tracks.length);
    expect(await index.count()).toBe(corpus.length);
  });

  it("finds a title typed exactly, first", async () => {
    expect((await trackTitles("aurora drift"))[0]).toBe("Aurora Drift");
  });

  it("finds a title with one letter wrong and another in the wrong case, first", async () => {
    expect((await trackTitles("AURORA dRifr"))[0]).toBe("Aurora Drift");
    expect((await trackTitles("glass lakr"))[0]).toBe("Glass Lake");
    // A swap of neighbours is one edit.
    expect((await trackTitles("Aurora Drfit"))[0]).toBe("Aurora Drift");
  });

  it("forgives no typo below 4 letters, one from 4, two from 8", async () => {
    expect(await trackTitles("snw")).toEqual([]);
    expect(await trackTitles("snoq")).toContain("Snow");
    expect(editDistance("lkea", "lake")).toBe(2);
    expect(await trackTitles("glass lkea")).toEqual([]);
    expect(editDistance("satelyte", "satellite")).toBe(2);
    expect(await trackTitles("satelyte")).toContain("Satellite");
    expect(editDistance("sattelyte", "satellite")).toBe(3);
    expect(await trackTitles("sattelyte")).not.toContain("Satellite");
    expect((await trackTitles("midnigth sun protocl"))[0]).toBe("Midnight Sun Protocol");
  });

  it("ranks a title matched with a typo above a more popular track matched through its album", async () => {
    expect(await trackTitles("quiet harbur")).toEqual(["Quiet Harbour", "Harbour Lights"]);
    expect(await trackTitles("quiet harbor")).toEqual(["Quiet Harbour", "Harbour Lights"]);
  });

  it("ranks the exact title above a longer one, then popularity breaks ties", async () => {
    expect((await trackTitles("aurora")).slice(0, 2)).toEqual(["Aurora", "Aurora Drift"]);
    expect((await trackTitles("snow")).slice(0, 2)).toEqual(["Snow", "Snowfield"]);
  });

  it("ignores diacritics and case, in Latin and Cyrillic", async () => {
    expect((await trackTitles("елка"))[0]).toBe("Ёлка во дворе");
    expect((await trackTitles("ЁЛКА"))[0]).toBe("Ёлка во дворе");
    expect((await trackTitles("звездная пыль"))[0]).toBe("Звёздная пыль");
    expect((await trackTitles("cok"))[0]).toBe("Çok Güzel");
    expect((await trackTitles("COK GUZEL"))[0]).toBe("Çok Güzel");
    expect((await trackTitles("creme brulee"))[0]).toBe("Crème Brûlée");
    expect((await trackTitles("deja vu"))[0]).toBe("Déjà Vu");
    expect(await trackTitles("дежа")).toEqual([]);
  });

  it("matches the last word as a prefix", async () => {
    expect(await trackTitles("midnight pro")).toEqual(["Midnight Sun Protocol"]);
    expect(await trackTitles("walking on 52")).toEqual(["Walking on 52nd"]);
  });

  it("matches artist, album and genre words, every word required", async () => {
    expect(await trackTitles("nadia aurora")).toEqual(["Aurora Drift"]);
    expect(await trackTitles("northern static")).toEqual(["Aurora Drift"]);
    expect(await trackTitles("белые ночи елка")).toEqual(["Ёлка во дворе"]);
    expect(await trackTitles("aurora nonexistentword")).toEqual([]);
  });

  it("filters by genre, year, tempo and duration", async () => {
    expect(await trackTitles("aurora", { filters: { genre: "electronic" } })).toEqual([
      "Aurora Drift",
    ]);
    expect(await trackTitles("aurora", { filters: { yearFrom: 2020, yearTo: 2023 } })).toEqual([
      "Aurora Drift",
    ]);
    expect(await trackTitles("nadia", { filters: { tempoFrom: 120, tempoTo: 130 } })).toEqual(
      expect.arrayContaining(["Aurora Drift", "Midnight Sun Protocol"]),
    );
    expect(await trackTitles("nadia", { filters: { tempoFrom: 120, tempoTo: 130 } })).toHaveLength(
      2,
    );
    expect(await trackTitles("snow", { filters: { durationToMs: 150_000 } })).toEqual(["Snow"]);
    expect(await trackTitles("snow", { filters: { durationFromMs: 150_000 } })).toEqual([
      "Snowfield",
    ]);
  });

  it("sorts by popularity or newest on request", async () => {
    expect(await trackTitles("aurora", { sort: "popularity" })).toEqual(["Aurora Drift", "Aurora"]);
    expect(await trackTitles("aurora", { sort: "newest" })).toEqual(["Aurora", "Aurora Drift"]);
  });

  it("pages, with the total of every match", async () => {
    const first = await index.search({ kind: "track", q: "nadia", limit: 2, offset: 0 });
    const second = await index.search({ kind: "track", q: "nadia", limit: 2, offset: 2 });
    expect(first.total).toBe(4);
    expect(second.total).toBe(4);
    expect(first.hits).toHaveLength(2);
    expect(second.hits).toHaveLength(2);
    const all = [...first.hits, ...second.hits].map((h) => h.document.id);
    expect(new Set(all).size).toBe(4);
    const past = await index.search({ kind: "track", q: "nadia", limit: 2, offset: 10 });
    expect(past).toEqual({ total: 4, hits: [] });
  });

  it("highlights matched words, typos and prefixes included, with the HTML escaped", async () => {
    const [hit] = (await index.search({ kind: "track", q: "aurora drfit", limit: 1, offset: 0 }))
      .hits;
    expect(hit?.highlight.title).toBe("<mark>Aurora</mark> <mark>Drift</mark>");
    const [byArtist] = (
      await index.search({ kind: "track", q: "nadia midnight", limit: 1, offset: 0 })
    ).hits;
    expect(byArtist?.highlight.subtitle).toBe("<mark>Nadia</mark> Lindqvist");
    const [bold] = (await index.search({ kind: "track", q: "bold", limit: 1, offset: 0 })).hits;
    expect(bold?.highlight.title).toBe("&lt;b&gt;<mark>Bold</mark>&lt;/b&gt; &amp; Co");
    const [cyr] = (await index.search({ kind: "track", q: "елк", limit: 1, offset: 0 })).hits;
    expect(cyr?.highlight.title).toBe("<mark>Ёлка</mark> во дворе");
  });

  it("searches artists, albums and public playlists", async () => {
    const names = async (kind: "artist" | "album" | "playlist", q: string) =>
      (await index.search({ kind, q, limit: 10, offset: 0 })).hits.map((h) =>
        h.document.kind === "artist" ? h.document.name : h.document.title,
      );
    expect(await names("artist", "nadya")).toEqual(["Nadia Lindqvist"]);
    expect(await names("artist", "белые")).toEqual(["Белые Ночи"]);
    expect(await names("artist", "yildiz")).toEqual(["Deniz Yıldız"]);
    expect(await names("album", "cafe societe")).toEqual(["Café Société"]);
    expect(await names("album", "мосты")).toEqual(["Разводные мосты"]);
    expect(await names("playlist", "late night")).toEqual(["Late night favourites"]);
    expect(await names("playlist", "listener")).toEqual(["Late night favourites"]);
  });

  it("suggests from two letters, across kinds, with highlights", async () => {
    const au = await index.suggest({ q: "au", limit: 5 });
    expect(au.map((s) => s.text)).toEqual(expect.arrayContaining(["Aurora", "Aurora Drift"]));
    expect(au[0]?.highlight).toMatch(/^<mark>Aurora<\/mark>/);
    const be = await index.suggest({ q: "бе", limit: 5, kinds: ["artist"] });
    expect(be.map((s) => [s.kind, s.text])).toEqual([["artist", "Белые Ночи"]]);
    const mid = await index.suggest({ q: "midn", limit: 5, kinds: ["track"] });
    expect(mid[0]).toMatchObject({
      kind: "track",
      text: "Midnight Sun Protocol",
      subtitle: "Nadia Lindqvist",
    });
    // A typo in a word being typed, from 4 letters.
    const typo = await index.suggest({ q: "midm", limit: 5, kinds: ["track"] });
    expect(typo.map((s) => s.text)).toContain("Midnight Sun Protocol");
  });

  it("answers nothing for a query without letters or digits", async () => {
    expect(await index.search({ kind: "track", q: " -- ", limit: 5, offset: 0 })).toEqual({
      total: 0,
      hits: [],
    });
    expect(await index.suggest({ q: "!!", limit: 5 })).toEqual([]);
  });

  it("gives each document's content digest: the stored document's, changed by any field", async () => {
    const before = await index.digests("track");
    expect(before.size).toBe(tracks.length);
    for (const t of tracks) expect(before.get(t.id), t.title).toBe(documentDigest(t));
    // Key order and absent keys do not matter; a changed length or playability does.
    const aurora = tracks.find((t) => t.title === "Aurora")!;
    const reordered = Object.fromEntries(Object.entries(aurora).reverse());
    expect(documentDigest(reordered)).toBe(documentDigest(aurora));
    await index.upsert([
      { ...aurora, durationMs: aurora.durationMs + 1, hasAudio: !aurora.hasAudio },
    ]);
    const after = await index.digests("track");
    expect(after.get(aurora.id)).not.toBe(before.get(aurora.id));
    expect([...after].filter(([id, d]) => before.get(id) !== d).map(([id]) => id)).toEqual([
      aurora.id,
    ]);
    await index.upsert([aurora]);
    expect((await index.digests("track")).get(aurora.id)).toBe(before.get(aurora.id));
    expect((await index.digests("artist")).size).toBe(
      corpus.filter((d) => d.kind === "artist").length,
    );
  });

  it("replaces a document on upsert and forgets it on remove", async () => {
    const renamed = { ...tracks.find((t) => t.title === "Glass Lake")!, title: "Mirror Pond" };
    await index.upsert([renamed]);
    expect(await trackTitles("glass lake")).toEqual([]);
    expect(await trackTitles("mirror pond")).toEqual(["Mirror Pond"]);
    await index.remove([{ kind: "track", id: renamed.id }]);
    expect(await trackTitles("mirror pond")).toEqual([]);
    expect(await index.count("track")).toBe(tracks.length - 1);
    await index.remove([{ kind: "track", id: renamed.id }]); // already gone: no error
  });

  it("reindexes to exactly the given documents", async () => {
    const keep = corpus.filter((d) => d.kind !== "track" || d.title !== "Snow");
    async function* batches() {
      for (let i = 0; i < keep.length; i += 5) yield keep.slice(i, i + 5);
    }
    const progress: number[] = [];
    const { indexed } = await index.reindex(batches(), (p) => progress.push(p.indexed));
    expect(indexed).toBe(keep.length);
    expect(progress.length).toBeGreaterThan(0);
    expect(await index.count()).toBe(keep.length);
    expect(await trackTitles("snow")).toEqual(["Snowfield"]);
    expect((await trackTitles("glass lakr"))[0]).toBe("Glass Lake");
  });

  it("keeps the writes made while a reindex runs, and answers from the old documents until it ends", async () => {
    // What the catalog read at the start of the rebuild: later batches carry what was true then.
    const snapshot = corpus.filter((d) => d.kind !== "track" || d.title !== "Snow");
    const byTitle = (title: string) => tracks.find((t) => t.title === title)!;
    const added = track("Paper Lanterns", "Nadia Lindqvist");
    const seen: string[][] = [];
    // Each batch carries the version of its load; the live writes were loaded later (higher).
    async function* batches() {
      for (let i = 0; i < snapshot.length; i += 5) {
        yield Object.assign(snapshot.slice(i, i + 5), { version: 100 + i });
        if (i > 0) continue;
        // The API goes on writing while the first batch is in: a new track, a rename and a
        // removal of documents already rebuilt, and of documents still to come (whose batch
        // holds what the catalog had before).
        await index.upsert([added, { ...byTitle("Aurora Drift"), title: "Borealis Drift" }], 1000);
        await index.remove([{ kind: "track", id: byTitle("Snowfield").id }], 1001);
        await index.upsert([{ ...byTitle("Satellite"), title: "Satellite Hearts" }], 1002);
        await index.remove([{ kind: "track", id: byTitle("Déjà Vu").id }], 1003);
        // Searches answer meanwhile, from the documents as they are.
        seen.push(await trackTitles("paper lanterns"), await trackTitles("glass lake"));
      }
    }
    await index.reindex(batches());
    expect(seen).toEqual([["Paper Lanterns"], ["Glass Lake"]]);
    expect(await trackTitles("paper lanterns")).toEqual(["Paper Lanterns"]);
    expect(await trackTitles("borealis")).toEqual(["Borealis Drift"]);
    expect(await trackTitles("aurora drift")).toEqual([]);
    expect(await trackTitles("snowfield")).toEqual([]);
    expect(await trackTitles("satellite")).toEqual(["Satellite Hearts"]);
    // A batch read before the removal (older version) does not bring it back: OpenSearch
    // remembers the removal (gc_deletes), the embedded index keeps a tombstone.
    expect(await trackTitles("deja vu")).toEqual([]);
    expect(await index.count("track")).toBe(tracks.length - 1 + 1 - 2);
    expect(await index.count()).toBe(snapshot.length + 1 - 2);
  });

  it("keeps the newest load when an older one is written after it (versions)", async () => {
    // Two processes deliver the same document at once: the one that loaded it later (version
    // 2000) writes first, the one that loaded it earlier (1000) writes last.
    const doc = track("Lantern Harbour", "Nadia Lindqvist");
    await index.upsert([{ ...doc, title: "Lantern Harbour Revisited" }], 2000);
    await index.upsert([doc], 1000);
    expect(await trackTitles("lantern harbour")).toEqual(["Lantern Harbour Revisited"]);
    expect((await index.digests("track")).get(doc.id)).toBe(
      documentDigest({ ...doc, title: "Lantern Harbour Revisited" }),
    );
    // The same load delivered twice: no error, nothing changes.
    await index.upsert([{ ...doc, title: "Lantern Harbour Revisited" }], 2000);
    // An older removal leaves the newer document.
    await index.remove([{ kind: "track", id: doc.id }], 1500);
    expect(await trackTitles("lantern harbour")).toEqual(["Lantern Harbour Revisited"]);
    // A newer removal wins, and an older load arriving after it does not bring it back.
    await index.remove([{ kind: "track", id: doc.id }], 3000);
    await index.upsert([doc], 2500);
    expect(await trackTitles("lantern harbour")).toEqual([]);
    expect((await index.digests("track")).has(doc.id)).toBe(false);
    // A removal of a document never indexed is remembered too.
    const never = track("Quiet Orchard", "Nadia Lindqvist");
    await index.remove([{ kind: "track", id: never.id }], 5000);
    await index.upsert([never], 4000);
    expect(await trackTitles("quiet orchard")).toEqual([]);
    // A newer load after the removal is indexed.
    await index.upsert([{ ...doc, title: "Lantern Harbour Again" }], 3500);
    expect(await trackTitles("lantern harbour")).toEqual(["Lantern Harbour Again"]);
    await index.remove([{ kind: "track", id: doc.id }], 6000);
  });

  it("refuses a reindex batch older than a live write made while it runs (versions)", async () => {
    const byTitle = (title: string) => tracks.find((t) => t.title === title)!;
    const glass = byTitle("Glass Lake");
    // Each batch carries its load's version; a live delivery loaded after the first batch
    // (higher version) renames a document of it, one loaded before (lower) tries to undo that.
    const docs = corpus.filter((d) => d.kind === "track" && d.title !== "Snow");
    async function* batches() {
      yield Object.assign(docs.slice(0, 4), { version: 10_000 });
      await index.upsert([{ ...glass, title: "Glass Lake Nocturne" }], 10_500);
      await index.upsert([glass], 9_000);
      yield Object.assign(docs.slice(4), { version: 10_001 });
    }
    await index.reindex(batches());
    expect(docs.slice(0, 4).map((d) => d.id)).toContain(glass.id);
    expect(await trackTitles("glass lake")).toEqual(["Glass Lake Nocturne"]);
    // A later delivery with a newer load still gets through.
    await index.upsert([glass], 11_000);
    expect(await trackTitles("glass lake nocturne")).toEqual([]);
  });
});
