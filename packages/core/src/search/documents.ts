import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { albums } from "../album/album.sql";
import { artists } from "../artist/artist.sql";
import type { Executor } from "../db/types";
import { playlists } from "../playlist/playlist.sql";
import { tracks } from "../track/track.sql";
import { albumCoverRoute } from "../track/cover";
import { listTrackViews, type TrackView } from "../track/views";
import { users } from "../user/user.sql";
import type {
  AlbumDocument,
  ArtistDocument,
  PlaylistDocument,
  SearchDocument,
  SearchKind,
  TrackDocument,
  VersionedBatch,
} from "./port";
import { takeVersion } from "./versions";

/** Search documents built from the catalog database: the one source both adapters index. */

export const toTrackDocument = (v: TrackView): TrackDocument => ({
  kind: "track",
  id: v.id,
  title: v.title,
  artist: v.artist,
  album: v.album,
  genre: v.genre ? { slug: v.genre.slug, name: v.genre.name } : null,
  year: v.year,
  tempo: v.tempo,
  durationMs: v.durationMs,
  popularity: v.popularity,
  coverUrl: v.coverUrl,
  hasAudio: v.hasAudio,
  createdAt: v.createdAt,
});

export async function loadTrackDocuments(db: Executor, ids: string[]): Promise<TrackDocument[]> {
  if (ids.length === 0) return [];
  const views = await listTrackViews(db, { ids }, "newest", { limit: ids.length, offset: 0 });
  return views.map(toTrackDocument);
}

// Correlated subqueries name the outer table explicitly: drizzle leaves single-table columns
// unqualified, which inside `from tracks t` would mean t.id.
const artistColumns = {
  id: artists.id,
  name: artists.name,
  country: artists.country,
  imageUrl: artists.imageUrl,
  createdAt: artists.createdAt,
  trackCount: sql<number>`(select count(*)::int from tracks t where t.artist_id = "artists"."id")`,
  popularity: sql<number>`(select coalesce(max(t.popularity), 0)::int from tracks t where t.artist_id = "artists"."id")`,
};

type ArtistRow = {
  id: string;
  name: string;
  country: string | null;
  imageUrl: string | null;
  createdAt: Date;
  trackCount: number;
  popularity: number;
};

const toArtistDocument = (r: ArtistRow): ArtistDocument => ({
  kind: "artist",
  id: r.id,
  name: r.name,
  country: r.country,
  imageUrl: r.imageUrl,
  trackCount: Number(r.trackCount),
  popularity: Number(r.popularity),
  createdAt: r.createdAt.toISOString(),
});

export async function loadArtistDocuments(db: Executor, ids: string[]): Promise<ArtistDocument[]> {
  if (ids.length === 0) return [];
  const rows = await db.select(artistColumns).from(artists).where(inArray(artists.id, ids));
  return rows.map(toArtistDocument);
}

const albumColumns = {
  id: albums.id,
  title: albums.title,
  releaseDate: albums.releaseDate,
  coverImageUrl: sql<
    string | null
  >`coalesce(${albums.coverImageUrl}, ${albumCoverRoute(sql`${albums.id}`)})`,
  createdAt: albums.createdAt,
  artistId: artists.id,
  artistName: artists.name,
  trackCount: sql<number>`(select count(*)::int from tracks t where t.album_id = "albums"."id")`,
  popularity: sql<number>`(select coalesce(max(t.popularity), 0)::int from tracks t where t.album_id = "albums"."id")`,
};

type AlbumRow = {
  id: string;
  title: string;
  releaseDate: string | null;
  coverImageUrl: string | null;
  createdAt: Date;
  artistId: string;
  artistName: string;
  trackCount: number;
  popularity: number;
};

const toAlbumDocument = (r: AlbumRow): AlbumDocument => ({
  kind: "album",
  id: r.id,
  title: r.title,
  artist: { id: r.artistId, name: r.artistName },
  year: r.releaseDate ? Number(r.releaseDate.slice(0, 4)) : null,
  coverImageUrl: r.coverImageUrl,
  trackCount: Number(r.trackCount),
  popularity: Number(r.popularity),
  createdAt: r.createdAt.toISOString(),
});

export async function loadAlbumDocuments(db: Executor, ids: string[]): Promise<AlbumDocument[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select(albumColumns)
    .from(albums)
    .innerJoin(artists, eq(artists.id, albums.artistId))
    .where(inArray(albums.id, ids));
  return rows.map(toAlbumDocument);
}

const playlistColumns = {
  id: playlists.id,
  title: playlists.title,
  description: playlists.description,
  createdAt: playlists.createdAt,
  ownerId: users.id,
  ownerName: users.username,
  trackCount: sql<number>`(select count(*)::int from playlist_tracks pt where pt.playlist_id = "playlists"."id")`,
};

type PlaylistRow = {
  id: string;
  title: string;
  description: string | null;
  createdAt: Date;
  ownerId: string;
  ownerName: string;
  trackCount: number;
};

const toPlaylistDocument = (r: PlaylistRow): PlaylistDocument => ({
  kind: "playlist",
  id: r.id,
  title: r.title,
  description: r.description,
  owner: { id: r.ownerId, username: r.ownerName },
  trackCount: Number(r.trackCount),
  popularity: 0,
  createdAt: r.createdAt.toISOString(),
});

/** Public playlists only: a private one (or a missing one) yields no document. */
export async function loadPlaylistDocuments(
  db: Executor,
  ids: string[],
): Promise<PlaylistDocument[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select(playlistColumns)
    .from(playlists)
    .innerJoin(users, eq(users.id, playlists.userId))
    .where(and(inArray(playlists.id, ids), eq(playlists.isPublic, true)));
  return rows.map(toPlaylistDocument);
}

export function loadDocuments(
  db: Executor,
  kind: SearchKind,
  ids: string[],
): Promise<SearchDocument[]> {
  switch (kind) {
    case "track":
      return loadTrackDocuments(db, ids);
    case "artist":
      return loadArtistDocuments(db, ids);
    case "album":
      return loadAlbumDocuments(db, ids);
    case "playlist":
      return loadPlaylistDocuments(db, ids);
  }
}

export interface VersionedLoad<D extends SearchDocument = SearchDocument> {
  /** The documents found (a missing id, or a private playlist, has none). */
  docs: D[];
  /** The ids without a document: to remove from the index. */
  gone: string[];
  version: number;
}

/** Loads documents of one kind from the catalog with the version of this load. */
export function loadVersionedDocuments(
  db: Executor,
  kind: SearchKind,
  ids: readonly string[],
): Promise<VersionedLoad> {
  return db.transaction(async (tx) => {
    const version = await takeVersion(tx, kind, ids);
    const docs = await loadDocuments(tx, kind, [...ids]);
    const found = new Set(docs.map((d) => d.id));
    return { docs, gone: ids.filter((id) => !found.has(id)), version };
  });
}

const idColumns = {
  track: { table: tracks, id: tracks.id, where: undefined },
  artist: { table: artists, id: artists.id, where: undefined },
  album: { table: albums, id: albums.id, where: undefined },
  playlist: { table: playlists, id: playlists.id, where: eq(playlists.isPublic, true) },
} as const;

/**
 * Every document of the catalog, kind after kind, in batches (keyset paging by id); each batch
 * carries the version of its load (search/versions.ts), so a reindex never replaces a newer live
 * write.
 */
export async function* catalogDocuments(
  db: Executor,
  batchSize = 1000,
  kinds: readonly SearchKind[] = ["track", "artist", "album", "playlist"],
): AsyncGenerator<VersionedBatch> {
  for (const kind of kinds) {
    const { table, id, where } = idColumns[kind];
    let after: string | undefined;
    for (;;) {
      const rows: { id: string }[] = await db
        .select({ id })
        .from(table)
        .where(and(where, after ? gt(id, after) : undefined))
        .orderBy(asc(id))
        .limit(batchSize);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id;
      const ids = rows.map((r) => r.id);
      const batch = await db.transaction(async (tx) => {
        const version = await takeVersion(tx, kind, ids);
        return Object.assign(await loadDocuments(tx, kind, ids), { version });
      });
      if (batch.length > 0) yield batch;
      if (rows.length < batchSize) break;
    }
  }
}

/** How many documents the catalog holds, per kind (public playlists only). */
export async function countCatalogDocuments(db: Executor): Promise<number> {
  let total = 0;
  for (const { table, where } of Object.values(idColumns)) {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(table)
      .where(where);
    total += Number(row?.n ?? 0);
  }
  return total;
}
