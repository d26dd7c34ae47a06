/**
 * The rows of a raw `db.execute()` result: postgres.js answers the rows array, PGlite an object
 * with `rows`. One shim for every raw query.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}
