import type { Sql } from "postgres";
import { AppError } from "../errors";
import { pgErrorCode } from "./sqlstate";

/** The catalog database cannot be reached: 503 with Retry-After, never a 500. */
export const databaseUnavailable = () =>
  new AppError(
    "database_unavailable",
    503,
    "The catalog database is not answering right now; try again in a moment.",
    { retryAfterSeconds: 2 },
  );

const CONNECTION_CODES = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/**
 * A broken or missing connection (postgres.js codes, socket errors, SQLSTATE class 08, admin
 * shutdown 57P01–57P03, too many connections 53300), anywhere in the `cause` chain (drizzle wraps).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e && typeof e === "object"; depth++) {
    if (e instanceof AppError) return e.code === "database_unavailable";
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  const state = pgErrorCode(error);
  return !!state && (state.startsWith("08") || /^57P0[123]$/.test(state) || state === "53300");
}

export interface BreakerOptions {
  /** A statement (or a wait for a connection) running this long makes the breaker check the server. */
  slowMs: number;
  /** Checks the server on a fresh connection; rejects when it cannot be reached. */
  probe(): Promise<void>;
  /** Drops every pooled connection (they may be dead without knowing it). */
  recycle(): void;
  /** How often an open breaker re-checks the server. */
  retryMs?: number;
  onChange?(open: boolean): void;
}

interface InFlight {
  reject(error: Error): void;
}

/**
 * Fail fast, recover alone. Every statement and connection wait is watched: one slower than
 * `slowMs`, or a connection error, makes the breaker probe the server on a fresh connection. If
 * the probe fails the breaker opens — waiting statements are refused at once with 503
 * `database_unavailable`, new ones too, the pool is recycled — and it re-probes every `retryMs`
 * until the server answers, then closes. A slow but healthy server is left alone.
 */
export function createDatabaseBreaker(options: BreakerOptions) {
  const retryMs = options.retryMs ?? 1000;
  const inFlight = new Set<InFlight>();
  let open = false;
  let probing: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  function trip() {
    if (!open) {
      open = true;
      options.onChange?.(true);
    }
    for (const f of [...inFlight]) f.reject(databaseUnavailable());
    inFlight.clear();
    options.recycle();
    retryTimer ??= setTimeout(() => {
      retryTimer = undefined;
      void check();
    }, retryMs);
    retryTimer.unref();
  }

  function check(): Promise<void> {
    probing ??= options
      .probe()
      .then(
        () => {
          if (open) {
            open = false;
            options.onChange?.(false);
          }
        },
        () => trip(),
      )
      .finally(() => {
        probing = undefined;
      });
    return probing;
  }

  return {
    get open() {
      return open;
    },
    /** Runs `start()` watched; resolves with its value or rejects fast when the server is gone. */
    watch<T>(start: () => PromiseLike<T>): Promise<T> {
      if (open) return Promise.reject(databaseUnavailable());
      return new Promise<T>((resolve, reject) => {
        let settled = false;
        const entry: InFlight = {
          reject(error) {
            if (settled) return;
            settled = true;
            clearTimeout(slow);
            reject(error);
          },
        };
        const slow = setTimeout(() => void check(), options.slowMs);
        slow.unref();
        inFlight.add(entry);
        start().then(
          (value) => {
            inFlight.delete(entry);
            if (settled) return;
            settled = true;
            clearTimeout(slow);
            resolve(value);
          },
          (error: unknown) => {
            inFlight.delete(entry);
            if (settled) return;
            settled = true;
            clearTimeout(slow);
            if (isDatabaseUnavailable(error)) {
              void check();
              reject(databaseUnavailable());
              // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the driver's own error, passed on unchanged
            } else reject(error);
          },
        );
      });
    },
    close() {
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
    },
  };
}

export type DatabaseBreaker = ReturnType<typeof createDatabaseBreaker>;

/**
 * The postgres.js client as drizzle sees it, with every statement and transaction start run
 * through the breaker. drizzle calls `unsafe(...)` (then `.values()`, which returns the same
 * query) and `begin(fn)`; the query object is patched so awaiting it is watched.
 */
export function guardClient(client: Sql, breaker: DatabaseBreaker): Sql {
  const guard = (sql: Sql): Sql =>
    new Proxy(sql, {
      get(target, prop, receiver) {
        if (prop === "unsafe") {
          return (...args: Parameters<Sql["unsafe"]>) => {
            const query = target.unsafe(...args);
            const then = query.then.bind(query);
            // defineProperty returns the (thenable) query itself: nothing to await here.
            void Object.defineProperty(query, "then", {
              configurable: true,
              value: (ok?: (v: unknown) => unknown, fail?: (e: unknown) => unknown) =>
                breaker.watch(() => ({ then: (a, b) => then(a, b) })).then(ok, fail),
            });
            return query;
          };
        }
        if (prop === "begin") {
          return (...args: unknown[]) => {
            const fn = args.pop() as (tx: Sql) => unknown;
            let abandoned = false;
            let startedResolve: () => void = () => {};
            const started = new Promise<void>((r) => (startedResolve = r));
            const run = (target.begin as (...a: unknown[]) => Promise<unknown>)(
              ...args,
              (tx: Sql) => {
                // Refused while waiting for a connection: roll back rather than run late.
                if (abandoned) throw databaseUnavailable();
                startedResolve();
                return fn(guard(tx));
              },
            );
            // Waiting for a connection is watched; the statements inside are watched one by one.
            const waited = breaker.watch(() => Promise.race([started, run.then(() => {})]));
            return waited.then(
              () => run,
              (error: unknown) => {
                abandoned = true;
                run.catch(() => {});
                throw error;
              },
            );
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === "function"
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });
  return guard(client);
}
