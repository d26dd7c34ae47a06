import type { PGlite, Results } from "@electric-sql/pglite";
import type { CatalogDatabase, Db } from "@jonquils/core";
import * as schema from "@jonquils/core/db/schema";
import { prebuiltWorker } from "@jonquils/core/util/prebuilt";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type ResourceLimits } from "node:worker_threads";

/**
 * PGlite on a worker thread: the WASM PostgreSQL engine runs every statement (and its start,
 * template load and migrations) off the API's event loop, which only posts the SQL and gets
 * the rows back. In-process PGlite runs each query synchronously on the caller's thread, so a
 * bulk import or a flood of writes stalled every other request (docs/benchmarks.md, "API
 * latency during a bulk import").
 *
 * `PgliteThreadClient` implements what drizzle-orm/pglite calls on a PGlite client — `query`
 * (rowMode, and the parsers drizzle passes, which are identities), `exec`, and `transaction`
 * with queries issued one by one from this thread (interactive: the worker holds the
 * transaction open between them) — plus `dumpDataDir` and `close`. Database errors come back
 * with their fields (SQLSTATE `code`, `constraint`, `detail`…), so the core error mapper maps
 * them as before. PGlite is one connection: statements are serialised as in-process, and one
 * open transaction holds the others back until it ends.
 *
 * Chosen over `@electric-sql/pglite-socket` (a wire-protocol server for our postgres.js pool:
 * concurrent connections interleave extended-protocol batches, electric-sql/pglite#1046, and
 * a second runtime dependency) and PGlite's own `PGliteWorker` (a browser Worker with a
 * tab-leader election, not node:worker_threads).
 */

const WORKER_SOURCE = new URL("./pglite-thread-worker.ts", import.meta.url);
/** Built by `npm start` (launch.mjs): plain Node loads it. */
const PREBUILT = prebuiltWorker(WORKER_SOURCE);
const TSX_API = pathToFileURL(
  join(
    dirname(createRequire(import.meta.url).resolve("tsx/package.json")),
    "dist/esm/api/index.mjs",
  ),
).href;
const BOOT = `const { workerData } = require("node:worker_threads");
import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(workerData.entry); });`;
const BOOT_PREBUILT = `const { workerData } = require("node:worker_threads"); import(workerData.entry);`;

/** What the worker opens. */
export interface PgliteThreadInit {
  /** Data directory (created if missing); undefined keeps everything in memory. */
  dataDir?: string | undefined;
  /** Load a migrated template into an empty data directory (pglite-template.ts). */
  useTemplate?: boolean;
  /** Apply pending migrations after opening. */
  migrate?: boolean;
}

type RequestBody =
  | {
      op: "query";
      sql: string;
      params: unknown[];
      rowMode?: "array" | "object";
      textTypes: number[];
    }
  | { op: "exec"; sql: string }
  | { op: "begin" }
  | { op: "end"; commit: boolean }
  | { op: "dump"; compression: "gzip" | "none" | "auto" }
  | { op: "close" };
export type Request = RequestBody & { id: number; tx?: number | undefined };
export interface WireError {
  name: string;
  message: string;
  fields: Record<string, string | number | boolean>;
}
export type Reply = { id: number } & (
  { ok: true; value: unknown } | { ok: false; error: WireError }
);

/** A database error from the worker, with the driver's fields (code, constraint…) restored. */
export class PgliteThreadError extends Error {
  [field: string]: unknown;
  constructor(wire: WireError) {
    super(wire.message);
    Object.assign(this, wire.fields);
    this.name = wire.name;
  }
}

interface QueryOptions {
  rowMode?: "array" | "object";
  parsers?: Record<number, unknown>;
}

/** Queries on the worker's database, or inside one of its open transactions. */
class PgliteThreadQueries {
  constructor(
    protected readonly send: (body: RequestBody, tx?: number) => Promise<unknown>,
    protected readonly tx?: number,
  ) {}

  query<T>(query: string, params: unknown[] = [], options: QueryOptions = {}): Promise<Results<T>> {
    return this.send(
      {
        op: "query",
        sql: query,
        params,
        ...(options.rowMode ? { rowMode: options.rowMode } : {}),
        textTypes: Object.keys(options.parsers ?? {}).map(Number),
      },
      this.tx,
    ) as Promise<Results<T>>;
  }

  exec(query: string): Promise<Results[]> {
    return this.send({ op: "exec", sql: query }, this.tx) as Promise<Results[]>;
  }
}

class PgliteThreadTransaction extends PgliteThreadQueries {
  closed = false;
}

/** Restarts of a crashed engine allowed within RESTART_WINDOW_MS before it is given up. */
export const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

export interface PgliteThreadOptions {
  /**
   * The engine stopped and will not come back (in memory, or MAX_RESTARTS crashes within a
   * minute): every query answers 57P01 from now on, so the caller decides — the local server
   * logs it and exits rather than answering 503 for ever.
   */
  onFatal?: (error: Error) => void;
  /** The engine crashed and a new worker reopened the same data folder (for the log). */
  onRestart?: (cause: Error, restarts: number) => void;
  /** V8 heap limits of the worker (node:worker_threads resourceLimits). */
  resourceLimits?: ResourceLimits;
}

const unavailable = (message: string) => Object.assign(new Error(message), { code: "57P01" });

export class PgliteThreadClient extends PgliteThreadQueries {
  #worker!: Worker;
  /** Which worker is current: replies and transactions of an earlier (crashed) one are stale. */
  #generation = 0;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #next = 1;
  #closed = false;
  /** Set while no engine answers (crashed, restarting or given up): queries fail fast (503). */
  #down: Error | undefined;
  readonly #restarts: number[] = [];
  readonly ready: Promise<void>;

  constructor(
    private readonly init: PgliteThreadInit,
    private readonly options: PgliteThreadOptions = {},
  ) {
    const box: { self?: PgliteThreadClient } = {};
    super((body, tx) => box.self!.#request(body, tx));
    box.self = this;
    this.ready = this.#spawn(init);
  }

  /** Starts a worker on `init`; resolves when its database is open. */
  #spawn(init: PgliteThreadInit): Promise<void> {
    const generation = ++this.#generation;
    // The worker loads TypeScript through tsx (as `npm start` does), whatever runs this
    // process: a plain script registers the loader, then imports the worker (a .ts entry, or
    // `--import tsx` in execArgv, is not honoured for worker threads everywhere: inside a
    // vitest fork the loader never applies).
    const worker = new Worker(PREBUILT ? BOOT_PREBUILT : BOOT, {
      eval: true,
      workerData: { ...init, entry: pathToFileURL(PREBUILT ?? fileURLToPath(WORKER_SOURCE)).href },
      execArgv: [],
      ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
    });
    this.#worker = worker;
    const ready = new Promise<void>((resolve, reject) =>
      this.#pending.set(0, { resolve: () => resolve(), reject }),
    );
    worker.on("message", (reply: Reply) => {
      if (generation !== this.#generation) return;
      const waiter = this.#pending.get(reply.id);
      if (!waiter) return;
      this.#pending.delete(reply.id);
      // Idle, the worker does not keep the process alive (a finished script exits).
      if (this.#pending.size === 0) worker.unref();
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new PgliteThreadError(reply.error));
    });
    let failed = false;
    const fail = (error: Error) => {
      if (failed || generation !== this.#generation) return;
      failed = true;
      this.#stopped(error);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(this.#closed ? "closed" : `exit code ${code}`)));
    return ready;
  }

  /**
   * The current worker stopped. Its callers get 57P01 (an unavailable database: 503, not
   * 500). A crash of a database on disk reopens the folder in a new worker — PostgreSQL's
   * own crash recovery replays its WAL — up to MAX_RESTARTS times a minute; otherwise (in
   * memory, closed, or crashing again and again) it stays down and `onFatal` is told.
   */
  #stopped(cause: Error) {
    // The first open failing is the caller's error (`ready` rejects); a reopen failing counts
    // as one more crash below.
    const firstOpen = this.#generation === 1 && this.#pending.has(0);
    // A dead engine is an unavailable database (57P01 admin_shutdown: 503, not 500).
    this.#down = unavailable(`the PGlite worker stopped: ${cause.message}`);
    for (const waiter of this.#pending.values()) waiter.reject(this.#down);
    this.#pending.clear();
    if (this.#closed || firstOpen) return;
    const now = Date.now();
    while (this.#restarts.length > 0 && now - this.#restarts[0]! > RESTART_WINDOW_MS)
      this.#restarts.shift();
    if (!this.init.dataDir || this.#restarts.length >= MAX_RESTARTS) {
      this.options.onFatal?.(this.#down);
      return;
    }
    this.#restarts.push(now);
    const restarts = this.#restarts.length;
    this.#spawn({ dataDir: this.init.dataDir }).then(
      () => {
        this.#down = undefined;
        this.options.onRestart?.(cause, restarts);
      },
      // It could not open the folder: stop that worker, whose exit comes through here again
      // (counted, so a folder that never opens ends in onFatal).
      () => void this.#worker.terminate(),
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  #request(body: RequestBody, tx?: number): Promise<unknown> {
    if (this.#down) return Promise.reject(this.#down);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...body, id, tx } satisfies Request);
    });
  }

  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(fn: (tx: PgliteThreadTransaction) => Promise<T>): Promise<T> {
    const generation = this.#generation;
    const id = (await this.#request({ op: "begin" })) as number;
    // A transaction belongs to the worker that began it: after a restart it is gone.
    const tx = new PgliteThreadTransaction(
      (body, t) =>
        generation === this.#generation
          ? this.#request(body, t)
          : Promise.reject(
              this.#down ?? unavailable("the PGlite worker restarted mid-transaction"),
            ),
      id,
    );
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      tx.closed = true;
      if (generation === this.#generation)
        await this.#request({ op: "end", commit: false }, id).catch(() => {});
      throw error;
    }
    tx.closed = true;
    if (generation !== this.#generation)
      throw this.#down ?? unavailable("the PGlite worker restarted mid-transaction");
    await this.#request({ op: "end", commit: true }, id);
    return result;
  }

  async dumpDataDir(compression: "gzip" | "none" | "auto" = "auto"): Promise<Blob> {
    const bytes = (await this.#request({ op: "dump", compression })) as Uint8Array;
    return new Blob([bytes]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (!this.#down) await this.#request({ op: "close" });
    } finally {
      await this.#worker.terminate();
    }
  }
}

/**
 * The catalog database on PGlite in a worker thread, opened (template, migrations) there.
 * Resolves once the database is ready; rejects with the worker's error if it could not open.
 */
export async function openPgliteThread(
  init: PgliteThreadInit = {},
  options: PgliteThreadOptions = {},
): Promise<CatalogDatabase & { client: PgliteThreadClient }> {
  const client = new PgliteThreadClient(init, options);
  try {
    await client.ready;
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
  // drizzle-orm/pglite calls only query/exec/transaction on its client (see the class).
  const db = drizzle(client as unknown as PGlite, { schema }) as unknown as Db;
  return {
    db,
    client,
    kind: "pglite",
    async ping() {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}
