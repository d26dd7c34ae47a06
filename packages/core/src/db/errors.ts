import { AppError } from "../errors";
import { databaseUnavailable, isDatabaseUnavailable } from "./resilience";
import { pgConstraint, pgErrorCode } from "./sqlstate";

export { pgConstraint, pgErrorCode } from "./sqlstate";

/** What a database error means to the domain, whichever driver (postgres.js, PGlite) raised it. */
export type DbErrorKind =
  | "unique_violation"
  | "foreign_key_missing"
  | "foreign_key_referenced"
  | "invalid_value"
  | "unavailable"
  | "contention";

function pgMessage(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === "object"; depth++) {
    if (typeof (e as { code?: unknown }).code === "string") {
      const m = (e as { message?: unknown }).message;
      if (typeof m === "string") return m;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return "";
}

/**
 * Classifies a database error by SQLSTATE (and, for a foreign key, by direction: a row that
 * names a missing parent, or a parent still referenced). `undefined`: not a database error
 * this mapper knows (a bug, left to the 500 handler).
 */
export function classifyDbError(error: unknown): DbErrorKind | undefined {
  if (isDatabaseUnavailable(error)) return "unavailable";
  const state = pgErrorCode(error);
  if (!state) return undefined;
  if (state === "23505") return "unique_violation";
  if (state === "23503")
    return /still referenced|update or delete on/i.test(pgMessage(error))
      ? "foreign_key_referenced"
      : "foreign_key_missing";
  // Check and not-null constraints, and class 22 (data exception: invalid text
  // representation, a NUL character, a value too long once normalised, out of range).
  if (state === "23514" || state === "23502" || state.startsWith("22")) return "invalid_value";
  // Serialization failure, deadlock, lock timeout: the same request later succeeds.
  if (state === "40001" || state === "40P01" || state === "55P03") return "contention";
  return undefined;
}

/** Per-call refinements: the domain's own error for a constraint it knows. */
export interface DbErrorRules {
  /** A unique constraint's name → the domain's conflict (e.g. "artist_name_taken"). */
  readonly unique?:
    Readonly<Record<string, () => AppError>> | ((constraint: string | undefined) => AppError);
  /** An insert naming a parent that does not exist → usually the parent's not-found. */
  readonly missingReference?: () => AppError;
  /** A delete of a row still referenced → the domain's conflict. */
  readonly stillReferenced?: () => AppError;
}

/**
 * The one place a database error becomes a domain error (as navidrome's repository base maps
 * driver errors to model errors): unique violation → conflict, foreign key → not found (a
 * missing parent) or conflict (a referenced row), check / not-null / invalid text →
 * validation, connection loss → unavailable, contention → unavailable with a short retry.
 * Services pass `rules` for the constraints they know; everything else gets the generic code.
 * Returns `undefined` for errors that are not database errors (callers rethrow them).
 */
export function toDomainError(error: unknown, rules: DbErrorRules = {}): AppError | undefined {
  if (error instanceof AppError) return error;
  const kind = classifyDbError(error);
  switch (kind) {
    case "unique_violation": {
      const u = rules.unique;
      const constraint = pgConstraint(error);
      if (typeof u === "function") return u(constraint);
      const specific = u?.[constraint ?? ""];
      return specific ? specific() : DbErrors.conflict();
    }
    case "foreign_key_missing":
      return rules.missingReference?.() ?? DbErrors.referenceNotFound();
    case "foreign_key_referenced":
      return rules.stillReferenced?.() ?? DbErrors.stillReferenced();
    case "invalid_value":
      return DbErrors.invalidValue();
    case "unavailable":
      return databaseUnavailable();
    case "contention":
      return DbErrors.busy();
    case undefined:
      return undefined;
  }
}

/** `toDomainError`, rethrowing: `await insert().catch(rethrowAsDomainError({ unique: … }))`. */
export function rethrowAsDomainError(rules: DbErrorRules = {}) {
  return (error: unknown): never => {
    throw toDomainError(error, rules) ?? error;
  };
}

/** The generic database-derived errors (their codes are in the catalogue, domain "common"). */
export const DbErrors = {
  conflict: () => new AppError("conflict", 409, "This already exists."),
  referenceNotFound: () =>
    new AppError("reference_not_found", 404, "Something this refers to does not exist."),
  stillReferenced: () =>
    new AppError("still_referenced", 409, "Other records still refer to this; remove them first."),
  invalidValue: () =>
    new AppError(
      "invalid_value",
      400,
      "A value in the request cannot be stored (unsupported character, or too long once normalised).",
    ),
  busy: () =>
    new AppError("database_busy", 503, "The database is busy with a conflicting change; retry.", {
      retryAfterSeconds: 1,
    }),
};
