/**
 * The worker-thread side of pglite-thread.ts: owns the PGlite instance (open, template load,
 * migrations, every query) so the WASM engine never runs on the API's event loop. Answers
 * the requests of PgliteThreadClient, one message each; see that file for the protocol.
 */
import type { PGlite, Results, Transaction } from "@electric-sql/pglite";
import { mkdir } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";
import { migratePglite, openPglite } from "./pglite";
import type { PgliteThreadInit, Reply, Request, WireError } from "./pglite-thread";

const port = parentPort!;
const init = workerData as PgliteThreadInit;

/** Open transactions by id: the PGlite transaction and the way to end it. */
const transactions = new Map<
  number,
  { tx: Transaction; end: (commit: boolean) => void; done: Promise<void> }
>();
let nextTx = 1;
/** Rejection that rolls a transaction back (not an error of the query that ran last). */
const ROLLBACK = new Error("rollback");

/** A database error as plain fields (SQLSTATE, constraint, detail…) that survive postMessage. */
function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (["string", "number", "boolean"].includes(typeof value))
      fields[key] = value as string | number | boolean;
  }
  return { name: error.name, message: error.message, fields };
}

async function open(): Promise<PGlite> {
  const template = await import("./pglite-template");
  if (init.dataDir) await mkdir(init.dataDir, { recursive: true });
  // A first start loads a migrated template instead of running initdb and every migration.
  const loadDataDir =
    init.useTemplate && (!init.dataDir || template.isEmptyDataDir(init.dataDir))
      ? await template
          .pgliteTemplate()
          .then(template.loadTemplate)
          .catch(() => undefined) // no cache (read-only install): initdb as before
      : undefined;
  const catalog = await openPglite({ dataDir: init.dataDir, loadDataDir });
  if (init.migrate) await migratePglite(catalog);
  return catalog.client;
}

const ready = open();
ready.then(
  () => port.postMessage({ id: 0, ok: true, value: null } satisfies Reply),
  (error: unknown) => port.postMessage({ id: 0, ok: false, error: toWire(error) } satisfies Reply),
);

async function handle(pg: PGlite, req: Request): Promise<unknown> {
  const on = req.tx ? transactions.get(req.tx)?.tx : pg;
  if (!on) throw new Error(`transaction ${req.tx} is not open`);
  switch (req.op) {
    case "query": {
      // Parsers cannot cross threads: drizzle's are identities (keep timestamps, intervals
      // and dates as PostgreSQL's text), so the same types are kept as text here.
      const parsers = Object.fromEntries(req.textTypes.map((oid) => [oid, (v: string) => v]));
      const result: Results = await on.query(req.sql, req.params, {
        ...(req.rowMode ? { rowMode: req.rowMode } : {}),
        parsers,
      });
      return { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows };
    }
    case "exec":
      return (await on.exec(req.sql)).map((r) => ({
        rows: r.rows,
        fields: r.fields,
        affectedRows: r.affectedRows,
      }));
    case "begin": {
      const id = nextTx++;
      let opened!: () => void;
      const started = new Promise<void>((resolve) => (opened = resolve));
      let end!: (commit: boolean) => void;
      const done = pg
        .transaction(async (tx) => {
          const finished = new Promise<boolean>((resolve) => (end = resolve));
          transactions.set(id, { tx, end: (commit) => end(commit), done: Promise.resolve() });
          opened();
          if (!(await finished)) throw ROLLBACK;
        })
        .catch((error: unknown) => {
          if (error !== ROLLBACK) throw error;
        })
        .finally(() => transactions.delete(id));
      await Promise.race([started, done]);
      const entry = transactions.get(id);
      if (!entry) throw new Error("the transaction could not start");
      entry.done = done;
      return id;
    }
    case "end": {
      const entry = transactions.get(req.tx!);
      if (!entry) throw new Error(`transaction ${req.tx} is not open`);
      entry.end(req.commit);
      await entry.done;
      return null;
    }
    case "dump": {
      const dump = await pg.dumpDataDir(req.compression);
      return new Uint8Array(await dump.arrayBuffer());
    }
    case "close":
      if (!pg.closed) await pg.close();
      return null;
  }
}

port.on("message", (req: Request) => {
  void ready
    .then((pg) => handle(pg, req))
    .then(
      (value) => {
        if (value instanceof Uint8Array) {
          port.postMessage({ id: req.id, ok: true, value } satisfies Reply, [
            value.buffer as ArrayBuffer,
          ]);
        } else port.postMessage({ id: req.id, ok: true, value } satisfies Reply);
        if (req.op === "close") port.close();
      },
      (error: unknown) =>
        port.postMessage({ id: req.id, ok: false, error: toWire(error) } satisfies Reply),
    );
});
