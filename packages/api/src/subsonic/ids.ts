import { SubsonicErrors } from "./response";

/**
 * Subsonic ids are opaque strings; ours carry a type prefix so one parameter (star's `id`,
 * getCoverArt's `id`, getMusicDirectory's `id`) can name a song, album, artist or playlist.
 */
export const PREFIX = {
  track: "tr-",
  album: "al-",
  artist: "ar-",
  playlist: "pl-",
  smart: "sp-",
} as const;
export type IdKind = keyof typeof PREFIX;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const toId = (kind: IdKind, uuid: string) => PREFIX[kind] + uuid;

/** The kind and uuid behind an id; an id of another kind or a malformed one is "not found" (70). */
export function parseId<K extends IdKind>(
  id: string,
  kinds: readonly K[],
): { kind: K; uuid: string } {
  for (const kind of kinds) {
    const prefix = PREFIX[kind];
    if (id.startsWith(prefix)) {
      const uuid = id.slice(prefix.length);
      if (UUID.test(uuid)) return { kind, uuid: uuid.toLowerCase() };
    }
  }
  throw SubsonicErrors.notFound(`Unknown id: ${id.slice(0, 60)}`);
}

/** The music folder every song is in (we have one library). */
export const MUSIC_FOLDER_ID = 1;
