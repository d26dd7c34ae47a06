import bcrypt from "bcryptjs";
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { AppError } from "../errors";

/**
 * Password hashing as a bounded resource. bcryptjs is pure JavaScript: on the event loop one
 * cost-12 hash blocks every other request for ~0.3 s. Here hashes run on worker threads (at
 * most `threads` at once) and at most `maxQueued` more wait; beyond that the caller gets a
 * 503 `server_busy` with Retry-After at once instead of a growing queue.
 */
export interface PasswordHasher {
  hash(password: string, cost: number): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Jobs running plus waiting. */
  readonly load: number;
  close(): Promise<void>;
}

export const hashingBusy = () =>
  new AppError(
    "server_busy",
    503,
    "Too many sign-ups and sign-ins are being processed right now; try again in a moment.",
    { retryAfterSeconds: 1 },
  );

export interface HasherOptions {
  /** Worker threads; default one less than the cores (at least 1, at most 4). */
  threads?: number;
  /** Jobs allowed to wait for a thread; default 8 per thread. */
  maxQueued?: number;
}

// Runs in the worker: CommonJS (eval), bcryptjs loaded from the path the main thread resolved.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptPath);
parentPort.on("message", (m) => {
  try {
    const r = m.op === "hash" ? bcrypt.hashSync(m.a, m.b) : bcrypt.compareSync(m.a, m.b);
    parentPort.postMessage({ id: m.id, r });
  } catch (e) {
    parentPort.postMessage({ id: m.id, e: String(e && e.message || e) });
  }
});`;

interface Job {
  id: number;
  op: "hash" | "verify";
  a: string;
  b: string | number;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

function resolveBcrypt(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve("bcryptjs");
  } catch {
    // Bundled (Lambda): no node_modules to load it from in a worker.
    return undefined;
  }
}

export function createPasswordHasher(options: HasherOptions = {}): PasswordHasher {
  const threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  const maxQueued = options.maxQueued ?? threads * 8;
  const bcryptPath = resolveBcrypt();
  const idle: Worker[] = [];
  const all: Worker[] = [];
  const running = new Map<Worker, Job>();
  const waiting: Job[] = [];
  let nextId = 1;
  let inline = 0;

  function spawn(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
    w.unref();
    w.on("message", (m: { id: number; r?: unknown; e?: string }) => {
      const job = running.get(w);
      running.delete(w);
      w.unref();
      if (job) {
        if (m.e !== undefined) job.reject(new Error(m.e));
        else job.resolve(m.r);
      }
      idle.push(w);
      pump();
    });
    w.on("error", (error) => {
      const job = running.get(w);
      running.delete(w);
      all.splice(all.indexOf(w), 1);
      job?.reject(error);
      pump();
    });
    all.push(w);
    return w;
  }

  function pump() {
    while (waiting.length > 0) {
      const w = idle.pop() ?? (all.length < threads ? spawn() : undefined);
      if (!w) return;
      const job = waiting.shift()!;
      running.set(w, job);
      // Keep the process alive while a hash is in flight (a CLI awaiting it), not when idle.
      w.ref();
      w.postMessage({ id: job.id, op: job.op, a: job.a, b: job.b });
    }
  }

  function submit<T>(op: Job["op"], a: string, b: string | number): Promise<T> {
    if (!bcryptPath) {
      // No worker possible: still bounded, on the calling thread.
      if (inline >= threads + maxQueued) return Promise.reject(hashingBusy());
      inline++;
      const p = op === "hash" ? bcrypt.hash(a, b) : bcrypt.compare(a, b as string);
      return (p as Promise<T>).finally(() => inline--);
    }
    if (running.size >= threads && waiting.length >= maxQueued)
      return Promise.reject(hashingBusy());
    return new Promise<T>((resolve, reject) => {
      waiting.push({ id: nextId++, op, a, b, resolve: resolve, reject });
      pump();
    });
  }

  return {
    hash: (password, cost) => submit<string>("hash", password, cost),
    verify: (password, hash) => submit<boolean>("verify", password, hash),
    get load() {
      return running.size + waiting.length + inline;
    },
    async close() {
      for (const job of waiting.splice(0)) job.reject(new Error("hasher closed"));
      await Promise.all(all.splice(0).map((w) => w.terminate()));
      idle.length = 0;
    },
  };
}

let shared: PasswordHasher | undefined;
/** One pool per process (the auth services of a process share the cores). */
export function sharedPasswordHasher(): PasswordHasher {
  return (shared ??= createPasswordHasher());
}
