import type { Executor } from "@jonquils/core";
import type { AlbumSummary, ArtistSummary } from "@jonquils/core/browse/index";
import type { TrackView } from "@jonquils/core/track/views";
import { songRecords, trackStates, type TrackState } from "@jonquils/core/browse/songs";
import { toId } from "./ids";

/** Catalog rows → OpenSubsonic response objects (Child, AlbumID3, ArtistID3, directory entries). */

const CONTENT_TYPES: Record<string, string> = {
  mp3: "audio/mpeg",
  flac: "audio/flac",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  wav: "audio/wav",
  aiff: "audio/aiff",
  m4a: "audio/mp4",
  mp4: "audio/mp4",
  aac: "audio/aac",
};

export type { TrackState };

export { trackStates };

const seconds = (ms: number) => Math.round(ms / 1000);
const iso = (d: Date | string | undefined) =>
  d === undefined ? undefined : typeof d === "string" ? d : d.toISOString();

/** A song as a `Child`. */
export function child(t: TrackView, state: TrackState = {}) {
  const suffix = t.fileFormat?.toLowerCase() ?? undefined;
  return {
    id: toId("track", t.id),
    parent: t.album ? toId("album", t.album.id) : toId("artist", t.artist.id),
    isDir: false,
    title: t.title,
    album: t.album?.title,
    artist: t.artist.name,
    track: t.trackNumber ?? undefined,
    year: t.year ?? undefined,
    genre: t.genre?.name,
    coverArt: t.album ? toId("album", t.album.id) : toId("track", t.id),
    contentType: suffix ? (CONTENT_TYPES[suffix] ?? "application/octet-stream") : undefined,
    suffix,
    duration: seconds(t.durationMs),
    path: `${t.artist.name}/${t.album?.title ?? "Singles"}/${t.title}${suffix ? `.${suffix}` : ""}`,
    isVideo: false,
    userRating: state.userRating,
    averageRating: state.averageRating,
    playCount: t.playCount,
    discNumber: t.discNumber ?? undefined,
    created: t.createdAt,
    starred: iso(state.starred),
    albumId: t.album ? toId("album", t.album.id) : undefined,
    artistId: toId("artist", t.artist.id),
    type: "music",
    mediaType: "song",
    bpm: t.tempo !== null ? Math.round(t.tempo) : undefined,
    genres: t.genre ? [{ name: t.genre.name }] : [],
    artists: [{ id: toId("artist", t.artist.id), name: t.artist.name }],
    displayArtist: t.artist.name,
    albumArtists: [{ id: toId("artist", t.artist.id), name: t.artist.name }],
    displayAlbumArtist: t.artist.name,
  };
}

export function childrenOf(views: TrackView[], states: Map<string, TrackState>) {
  return views.map((t) => child(t, states.get(t.id)));
}

/** An album as `AlbumID3`. */
export function albumId3(a: AlbumSummary, starred?: Date) {
  return {
    id: toId("album", a.id),
    name: a.title,
    artist: a.artistName,
    artistId: toId("artist", a.artistId),
    coverArt: toId("album", a.id),
    songCount: a.songCount,
    duration: seconds(a.durationMs),
    playCount: a.playCount,
    created: a.createdAt.toISOString(),
    starred: iso(starred),
    userRating: a.userRating,
    year: a.year ?? undefined,
    genre: a.genre ?? undefined,
    genres: a.genre ? [{ name: a.genre }] : [],
    artists: [{ id: toId("artist", a.artistId), name: a.artistName }],
    displayArtist: a.artistName,
    isCompilation: false,
  };
}

/** An album as a folder-style `Child` (getAlbumList, getMusicDirectory, search2, getStarred). */
export function albumDir(a: AlbumSummary, starred?: Date) {
  return {
    id: toId("album", a.id),
    parent: toId("artist", a.artistId),
    isDir: true,
    title: a.title,
    album: a.title,
    artist: a.artistName,
    year: a.year ?? undefined,
    genre: a.genre ?? undefined,
    coverArt: toId("album", a.id),
    duration: seconds(a.durationMs),
    playCount: a.playCount,
    created: a.createdAt.toISOString(),
    starred: iso(starred),
    userRating: a.userRating,
    albumId: toId("album", a.id),
    artistId: toId("artist", a.artistId),
    mediaType: "album",
  };
}

/** An artist as `ArtistID3`. */
export function artistId3(a: ArtistSummary, starred?: Date) {
  return {
    id: toId("artist", a.id),
    name: a.name,
    coverArt: toId("artist", a.id),
    artistImageUrl: a.imageUrl ?? undefined,
    albumCount: a.albumCount,
    starred: iso(starred),
  };
}

/** An artist as a folder-style `Artist` (getIndexes, search2, getStarred). */
export function artistDir(a: ArtistSummary, starred?: Date) {
  return { id: toId("artist", a.id), name: a.name, starred: iso(starred) };
}

/** Groups artists under their first letter (# for anything else), as getArtists/getIndexes do. */
export function indexArtists<T extends { name: string }>(artists: T[]) {
  const groups = new Map<string, T[]>();
  for (const a of artists) {
    const first = a.name.trim().charAt(0).toLocaleUpperCase();
    const key = /\p{L}/u.test(first) ? first : "#";
    const list = groups.get(key);
    if (list) list.push(a);
    else groups.set(key, [a]);
  }
  return [...groups.entries()].sort(([a], [b]) =>
    a === "#" ? 1 : b === "#" ? -1 : a.localeCompare(b),
  );
}

/**
 * Songs with the user's star and rating (one statement in core), by ids in that order or by
 * album in disc/track order, as `Child` objects.
 */
export async function songRows(
  db: Executor,
  userId: string,
  filter: { ids: string[] } | { albumId: string },
): Promise<ReturnType<typeof child>[]> {
  const records = await songRecords(db, userId, filter);
  return records.map((s) => child(s.view, s.state));
}
