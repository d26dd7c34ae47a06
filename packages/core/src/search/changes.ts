/** Catalog rows whose search documents need rewriting (or removing, when they are gone). */
export interface SearchChanges {
  tracks?: readonly (string | null | undefined)[];
  artists?: readonly (string | null | undefined)[];
  albums?: readonly (string | null | undefined)[];
  playlists?: readonly (string | null | undefined)[];
}

export const CHANGE_KEYS = ["tracks", "artists", "albums", "playlists"] as const;

/** A `search` outbox event as stored (ids only: documents are reloaded when delivered). */
export function isSearchChanges(value: unknown): value is SearchChanges {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.entries(value).every(
    ([k, v]) =>
      (CHANGE_KEYS as readonly string[]).includes(k) &&
      Array.isArray(v) &&
      v.every((id) => typeof id === "string" || id == null),
  );
}

/** One change set from many, each id once. */
export function mergeChanges(all: readonly SearchChanges[]): Required<SearchChanges> & {
  tracks: string[];
  artists: string[];
  albums: string[];
  playlists: string[];
} {
  const out = {
    tracks: [] as string[],
    artists: [] as string[],
    albums: [] as string[],
    playlists: [] as string[],
  };
  for (const key of CHANGE_KEYS) {
    const ids = new Set<string>();
    for (const c of all) for (const id of c[key] ?? []) if (id) ids.add(id);
    out[key] = [...ids];
  }
  return out;
}
