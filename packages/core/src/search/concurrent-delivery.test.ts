import { hasPostgres, openTestDatabase, type DbKind } from "@jonquils/local/testing/harness";
import { eq } from "drizzle-orm";
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artists } from "../artist/artist.sql";
import { connectPostgres } from "../db/postgres";
import type { CatalogDatabase, Db } from "../db/types";
import { createLogger } from "../logger";
import { createOutboxDrainer, type OutboxDrainer } from "../outbox/index";
import { tracks } from "../track/track.sql";
import { documentDigest } from "./digest";
import { loadTrackDocuments, loadVersionedDocuments } from "./documents";
import { createOpenSearchIndex } from "./opensearch";
import { enqueueSearchSync, searchOutboxHandler } from "./outbox";
import type { SearchDocument, SearchIndex } from "./port";
import { createPostgresSearchIndex } from "./postgres";
import { takeVersion } from "./versions";

/**
 * Two processes drain one outbox at once (issue 12, item 2): each delivers a different batch
 * touching the same track. The one that loaded the older name is held back until the other has
 * written the newer one, then writes — the index must keep the latest name. Before versions the
 * older write landed last and search showed a name the catalog no longer had.
 */

const log = createLogger("silent");
const openSearchUrl = process.env["OPENSEARCH_URL"] || undefined;

interface Setup {
  name: string;
  db: DbKind;
  index(db: Db): { index: SearchIndex; close(): Promise<void> };
}

const setups: Setup[] = [{ name: "embedded on pglite", db: "pglite", index: (db) => embedded(db) }];
if (hasPostgres())
  setups.push({ name: "embedded on postgres", db: "postgres", index: (db) => embedded(db) });
if (openSearchUrl)
  setups.push({
    name: "opensearch",
    db: hasPostgres() ? "postgres" : "pglite",
    index() {
      const prefix = `jqtest_h12v_${randomBytes(4).toString("hex")}_`;
      const index = createOpenSearchIndex({ node: openSearchUrl, indexPrefix: prefix, log });
      return {
        index,
        async close() {
          await fetch(`${openSearchUrl.replace(/\/$/, "")}/${prefix}*`, { method: "DELETE" });
          await index.close();
        },
      };
    },
  });

function embedded(db: Db) {
  return { index: createPostgresSearchIndex(db), close: () => Promise.resolve() };
}

/** An index whose track writes can be held back: a slow process. */
function holdable(index: SearchIndex) {
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let entered: (() => void) | undefined;
  const wrapped: SearchIndex = {
    ...index,
    async upsert(docs: readonly SearchDocument[], version?: number) {
      if (gate && docs.some((d) => d.kind === "track")) {
        entered?.();
        await gate;
      }
      return index.upsert(docs, version);
    },
  };
  return {
    index: wrapped,
    /** Holds the next track write; resolves once a delivery has loaded and reached it. */
    hold(): Promise<void> {
      gate = new Promise((r) => (open = r));
      return new Promise((r) => (entered = r));
    },
    release() {
      gate = undefined;
      open?.();
    },
  };
}

describe.each(setups)("two drainers deliver renames of one track at once ($name)", (setup) => {
  let catalog: CatalogDatabase & { url?: string };
  let second: CatalogDatabase | undefined;
  let search: { index: SearchIndex; close(): Promise<void> };
  let a: ReturnType<typeof holdable>;
  let b: ReturnType<typeof holdable>;
  let drainerA: OutboxDrainer;
  let drainerB: OutboxDrainer;
  const trackId = randomUUID();

  beforeAll(async () => {
    catalog = await openTestDatabase(setup.db);
    // Two processes: on a server, each with its own connections.
    second = catalog.url ? connectPostgres(catalog.url, { max: 2 }) : undefined;
    const dbB = second?.db ?? catalog.db;
    search = setup.index(catalog.db);
    a = holdable(search.index);
    // The embedded index lives in the database: process B writes it through its own connection.
    b = holdable(second && setup.name.startsWith("embedded") ? embedded(dbB).index : search.index);
    const drainer = (db: Db, index: SearchIndex) =>
      createOutboxDrainer(
        db,
        log,
        { search: searchOutboxHandler({ db, search: index, log }) },
        {
          intervalMs: 0,
        },
      );
    drainerA = drainer(catalog.db, a.index);
    drainerB = drainer(dbB, b.index);
    const [artist] = await catalog.db
      .insert(artists)
      .values({ name: "Harbour Quartet", nameKey: "harbour quartet" })
      .returning({ id: artists.id });
    await catalog.db
      .insert(tracks)
      .values({ id: trackId, artistId: artist!.id, title: "Harbour Lights", durationMs: 1000 });
    await enqueueSearchSync(catalog.db, { tracks: [trackId] });
    await drainerA.drain();
  });
  afterAll(async () => {
    await drainerA?.close();
    await drainerB?.close();
    await search?.close();
    await second?.close();
    await catalog?.close();
  });

  /** A catalog write: the new title and its search event. */
  const rename = async (title: string) => {
    await catalog.db.update(tracks).set({ title }).where(eq(tracks.id, trackId));
    await enqueueSearchSync(catalog.db, { tracks: [trackId] });
  };
  const titles = async (q: string) =>
    (await search.index.search({ kind: "track", q, limit: 10, offset: 0 })).hits.map(
      (h) => h.document.title,
    );

  it("ends with the latest name, whichever drainer writes last", async () => {
    expect(await titles("harbour lights")).toEqual(["Harbour Lights"]);
    // Round 1: A loads the first rename and stalls; B delivers the second; A writes last.
    // Round 2: the other way round.
    for (const [slow, slowDrainer, fastDrainer, round] of [
      [a, drainerA, drainerB, 1],
      [b, drainerB, drainerA, 2],
    ] as const) {
      await rename(`Harbour Lights ${round} Early`);
      const reached = slow.hold();
      const slowDone = slowDrainer.drain();
      await reached;
      await rename(`Harbour Lights ${round} Late`);
      expect(await fastDrainer.drain()).toBe(1);
      expect(await titles(`harbour lights ${round} late`)).toEqual([
        `Harbour Lights ${round} Late`,
      ]);
      slow.release();
      expect(await slowDone).toBe(1);
      expect(await titles("harbour lights")).toEqual([`Harbour Lights ${round} Late`]);
    }
    // What the index holds is the catalog's document now (the drift check sees no difference).
    const [doc] = await loadTrackDocuments(catalog.db, [trackId]);
    expect((await search.index.digests("track")).get(trackId)).toBe(documentDigest(doc));
  }, 60_000);

  it("keeps a removal made after a stalled load", async () => {
    const reached = a.hold();
    await rename("Harbour Lights Final");
    const slowDone = drainerA.drain();
    await reached;
    await catalog.db.delete(tracks).where(eq(tracks.id, trackId));
    await enqueueSearchSync(catalog.db, { tracks: [trackId] });
    expect(await drainerB.drain()).toBe(1);
    a.release();
    await slowDone;
    expect(await titles("harbour lights")).toEqual([]);
    expect((await search.index.digests("track")).has(trackId)).toBe(false);
  }, 60_000);
});

describe.skipIf(!hasPostgres())("a load of documents another load holds waits for it", () => {
  let catalog: CatalogDatabase & { url?: string };
  let second: CatalogDatabase;
  beforeAll(async () => {
    catalog = await openTestDatabase("postgres");
    second = connectPostgres(catalog.url!, { max: 2 });
  });
  afterAll(async () => {
    await second?.close();
    await catalog?.close();
  });

  it("reads after the first commits, with a higher version", async () => {
    const [artist] = await catalog.db
      .insert(artists)
      .values({ name: "Lock Step", nameKey: "lock step" })
      .returning({ id: artists.id });
    const id = artist!.id;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstVersion = 0;
    const first = catalog.db.transaction(async (tx) => {
      firstVersion = await takeVersion(tx, "artist", [id]);
      await held;
      // Committed with this transaction: a second load must see it.
      await tx.update(artists).set({ name: "Lock Step Renamed" }).where(eq(artists.id, id));
    });
    while (firstVersion === 0) await new Promise((r) => setTimeout(r, 10));
    let done = false;
    const secondLoad = loadVersionedDocuments(second.db, "artist", [id]).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    release();
    await first;
    const loaded = await secondLoad;
    expect(loaded.version).toBeGreaterThan(firstVersion);
    expect(loaded.docs.map((d) => (d as { name: string }).name)).toEqual(["Lock Step Renamed"]);
  });
});
