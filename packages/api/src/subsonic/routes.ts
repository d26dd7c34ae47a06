import type { Actor, Ctx } from "@jonquils/core";
import { recordListen } from "@jonquils/core/analytics/index";
import {
  ALBUM_LIST_TYPES,
  findGenreId,
  getAlbumSummaries,
  getArtistSummaries,
  listAlbumPage,
  listAlbumSummaries,
  listArtistAlbums,
  listArtistSummaries,
  listGenreCounts,
  listTrackIds,
  type AlbumListType,
} from "@jonquils/core/browse/index";
import {
  albumSeedTrackIds,
  firstTrackId,
  singleTrackIds,
  topTrackIdsByArtistName,
} from "@jonquils/core/browse/songs";
import { getArtist } from "@jonquils/core/artist/index";
import { albumWithSongs, songRecordsByIds } from "@jonquils/core/browse/song-cache";
import { like, likedAtMap, listLikedIds, unlike, type LikeKind } from "@jonquils/core/like/index";
import { getPlayQueue, savePlayQueue } from "@jonquils/core/play-queue/index";
import {
  addPlaylistTrack,
  createPlaylist,
  deletePlaylist,
  getPlaylist,
  listMyPlaylists,
  removePlaylistTrack,
  updatePlaylist,
  type PlaylistView,
} from "@jonquils/core/playlist/index";
import { rateAlbum, rateTrack } from "@jonquils/core/rating/index";
import { artistSeedTracks, similarTracks, sonicPath } from "@jonquils/core/similar/index";
import {
  evaluateSmartPlaylist,
  getSmartPlaylist,
  listSmartPlaylists,
  trackViewsInOrder,
  type SmartPlaylistView,
} from "@jonquils/core/smart-playlist/index";
import { coverUrl } from "@jonquils/core/track/cover";
import { getTrack } from "@jonquils/core/track/index";
import { findLyrics, getTrackLyrics, lyricsText } from "@jonquils/core/track/lyrics";
import { getStreamUrl } from "@jonquils/core/track/stream";
import { listTrackViews, type TrackView } from "@jonquils/core/track/views";
import { AppError } from "@jonquils/core";
import { Hono, type Context } from "hono";
import type { ApiDeps, AppEnv } from "../env";
import { createSubsonicAuth, type SubsonicUser } from "./auth";
import { MUSIC_FOLDER_ID, parseId, toId } from "./ids";
import { Params } from "./params";
import {
  readFormat,
  respond,
  respondError,
  SubsonicError,
  SubsonicErrors,
  type Format,
} from "./response";
import {
  albumDir,
  albumId3,
  artistDir,
  artistId3,
  child,
  childrenOf,
  indexArtists,
  songRows,
  trackStates,
} from "./views";

interface Req {
  c: Context<AppEnv>;
  ctx: Ctx;
  params: Params;
  user: SubsonicUser;
  actor: Actor;
  format: Format;
}

type Payload = Record<string, unknown>;
type Handler = (req: Req) => Promise<Payload | Response>;

/** Extensions we serve, and only those (each is tested). */
export const EXTENSIONS = [
  { name: "formPost", versions: [1] },
  { name: "apiKeyAuthentication", versions: [1] },
  { name: "sonicSimilarity", versions: [1] },
  // Lyrics the files' tags carried (USLT/SYLT, LYRICS/UNSYNCEDLYRICS, ©lyr), kept at ingest.
  { name: "songLyrics", versions: [1] },
];

const NOW_PLAYING_KEY = "subsonic:now-playing";
const NOW_PLAYING_MINUTES = 10;

async function songs(req: Req, views: TrackView[]) {
  const states = await trackStates(
    req.ctx.db,
    req.user.userId,
    views.map((v) => v.id),
  );
  return childrenOf(views, states);
}

/** Songs by ids as `Child`: catalog rows from a per-process cache, the user's state fresh. */
async function songsByIds(req: Req, ids: string[]) {
  const records = await songRecordsByIds(req.ctx, req.user.userId, ids);
  return records.map((r) => child(r.view, r.state));
}

async function albumsWithStars(req: Req, ids: string[], dir = false) {
  const list = await getAlbumSummaries(req.ctx.db, ids, req.user.userId);
  const starred = await likedAtMap(req.ctx.db, req.user.userId, "album", ids);
  return list.map((a) => (dir ? albumDir(a, starred.get(a.id)) : albumId3(a, starred.get(a.id))));
}

/** Maps domain errors onto Subsonic codes (not found → 70, not allowed → 50, else 0). */
function toSubsonicError(error: unknown): SubsonicError | null {
  if (error instanceof SubsonicError) return error;
  if (error instanceof AppError) {
    if (error.status === 404) return SubsonicErrors.notFound(error.message);
    if (error.status === 403 || error.status === 401)
      return SubsonicErrors.notAuthorized(error.message);
    if (error.status < 500) return SubsonicErrors.generic(error.message);
  }
  return null;
}

function searchText(raw: string | undefined): string {
  // Symfonium sends query="" to list everything; some clients wrap the query in quotes.
  return (raw ?? "").replace(/^"+|"+$/g, "").trim();
}

function playlistView(p: PlaylistView, username: string) {
  return {
    id: toId("playlist", p.id),
    name: p.title,
    comment: p.description ?? undefined,
    owner: p.owner.username,
    public: p.isPublic,
    songCount: p.trackCount,
    duration: Math.round(p.durationMs / 1000),
    created: p.createdAt,
    changed: p.updatedAt,
    readonly: p.owner.username !== username,
  };
}

function smartView(p: SmartPlaylistView, songCount: number, durationMs: number) {
  return {
    id: toId("smart", p.id),
    name: p.title,
    comment: p.description ?? "Smart playlist (rules evaluated live)",
    owner: p.owner.username,
    public: p.isPublic,
    songCount,
    duration: Math.round(durationMs / 1000),
    created: p.createdAt,
    changed: new Date().toISOString(),
    readonly: true,
  };
}

async function redirectToStream(req: Req, download: boolean): Promise<Response> {
  const { uuid } = parseId(req.params.required("id"), ["track"]);
  const { url } = await getStreamUrl(req.ctx, uuid);
  req.c.header("Cache-Control", "private, no-store");
  if (download) req.c.header("Content-Disposition", "attachment");
  return req.c.redirect(url, 302);
}

const handlers: Record<string, Handler> = {
  ping: async () => ({}),
  getLicense: async () => ({
    license: { valid: true, email: "", licenseExpires: "2099-12-31T00:00:00.000Z" },
  }),
  tokenInfo: async ({ user }) => {
    if (user.via !== "api-key") throw SubsonicErrors.invalidApiKey();
    return { tokenInfo: { username: user.username } };
  },
  getMusicFolders: async () => ({
    musicFolders: { musicFolder: [{ id: MUSIC_FOLDER_ID, name: "Music" }] },
  }),
  getUser: async ({ params, user }) => {
    const username = params.required("username");
    if (username.toLowerCase() !== user.username.toLowerCase() && user.role !== "admin")
      throw SubsonicErrors.notAuthorized("You can only see your own user.");
    const admin = user.role === "admin";
    return {
      user: {
        username: user.username,
        email: user.email || undefined,
        scrobblingEnabled: true,
        adminRole: admin,
        settingsRole: true,
        downloadRole: true,
        uploadRole: user.role !== "user",
        playlistRole: true,
        coverArtRole: false,
        commentRole: false,
        podcastRole: false,
        streamRole: true,
        jukeboxRole: false,
        shareRole: false,
        videoConversionRole: false,
        folder: [MUSIC_FOLDER_ID],
      },
    };
  },

  getArtists: async (req) => {
    const list = await listArtistSummaries(req.ctx.db);
    const starred = await likedAtMap(
      req.ctx.db,
      req.user.userId,
      "artist",
      list.map((a) => a.id),
    );
    return {
      artists: {
        ignoredArticles: "",
        index: indexArtists(list).map(([name, group]) => ({
          name,
          artist: group.map((a) => artistId3(a, starred.get(a.id))),
        })),
      },
    };
  },
  getIndexes: async (req) => {
    const list = await listArtistSummaries(req.ctx.db);
    const starred = await likedAtMap(
      req.ctx.db,
      req.user.userId,
      "artist",
      list.map((a) => a.id),
    );
    return {
      indexes: {
        lastModified: Date.now(),
        ignoredArticles: "",
        index: indexArtists(list).map(([name, group]) => ({
          name,
          artist: group.map((a) => artistDir(a, starred.get(a.id))),
        })),
      },
    };
  },
  getArtist: async (req) => {
    const { uuid } = parseId(req.params.required("id"), ["artist"]);
    const [artist] = await getArtistSummaries(req.ctx.db, [uuid]);
    if (!artist) throw SubsonicErrors.notFound("Artist not found");
    const albums = await listArtistAlbums(req.ctx.db, uuid, req.user.userId);
    const [artistStar, albumStars] = await Promise.all([
      likedAtMap(req.ctx.db, req.user.userId, "artist", [uuid]),
      likedAtMap(
        req.ctx.db,
        req.user.userId,
        "album",
        albums.map((a) => a.id),
      ),
    ]);
    return {
      artist: {
        ...artistId3(artist, artistStar.get(uuid)),
        album: albums.map((a) => albumId3(a, albumStars.get(a.id))),
      },
    };
  },
  getMusicDirectory: async (req) => {
    const { kind, uuid } = parseId(req.params.required("id"), ["artist", "album"]);
    if (kind === "artist") {
      const [artist] = await getArtistSummaries(req.ctx.db, [uuid]);
      if (!artist) throw SubsonicErrors.notFound("Artist not found");
      const albums = await listArtistAlbums(req.ctx.db, uuid, req.user.userId);
      const stars = await likedAtMap(
        req.ctx.db,
        req.user.userId,
        "album",
        albums.map((a) => a.id),
      );
      const singles = await trackViewsInOrder(req.ctx.db, await singleTrackIds(req.ctx.db, uuid));
      return {
        directory: {
          id: toId("artist", uuid),
          name: artist.name,
          child: [
            ...albums.map((a) => albumDir(a, stars.get(a.id))),
            ...(await songs(req, singles)),
          ],
        },
      };
    }
    const [album] = await getAlbumSummaries(req.ctx.db, [uuid], req.user.userId);
    if (!album) throw SubsonicErrors.notFound("Album not found");
    const views = await albumTracks(req.ctx, uuid);
    return {
      directory: {
        id: toId("album", uuid),
        parent: toId("artist", album.artistId),
        name: album.title,
        child: await songs(req, views),
      },
    };
  },
  getAlbum: async (req) => {
    const { uuid } = parseId(req.params.required("id"), ["album"]);
    // Warm: one statement (track order and every state), rows and stats from the caches.
    const warm = await albumWithSongs(req.ctx, req.user.userId, uuid);
    if (warm)
      return {
        album: {
          ...albumId3(warm.album, warm.album.starred),
          song: warm.songs.map((r) => child(r.view, r.state)),
        },
      };
    const [[album], song] = await Promise.all([
      getAlbumSummaries(req.ctx.db, [uuid], req.user.userId),
      songRows(req.ctx.db, req.user.userId, { albumId: uuid }),
    ]);
    if (!album) throw SubsonicErrors.notFound("Album not found");
    return { album: { ...albumId3(album, album.starred), song } };
  },
  getSong: async (req) => {
    const { uuid } = parseId(req.params.required("id"), ["track"]);
    const [song] = await songs(req, [await getTrack(req.ctx, uuid)]);
    return { song };
  },
  getLyricsBySongId: async (req) => {
    const { uuid } = parseId(req.params.required("id"), ["track"]);
    const found = await getTrackLyrics(req.ctx.db, uuid);
    if (!found) throw SubsonicErrors.notFound("Song not found");
    if (found.lyrics.length === 0) return { lyricsList: {} };
    return {
      lyricsList: {
        structuredLyrics: found.lyrics.map((l) => ({
          displayArtist: found.artist,
          displayTitle: found.title,
          lang: l.lang,
          offset: 0,
          synced: l.synced,
          line: l.lines.map((line) =>
            l.synced ? { start: line.start ?? 0, value: line.value } : { value: line.value },
          ),
        })),
      },
    };
  },
  getLyrics: async (req) => {
    const found = await findLyrics(req.ctx.db, {
      artist: req.params.get("artist"),
      title: req.params.get("title"),
    });
    if (!found) return { lyrics: {} };
    // Plain text: an unsynchronised tag when there is one (synchronised lines otherwise).
    const chosen = found.lyrics.find((l) => !l.synced) ?? found.lyrics[0]!;
    return { lyrics: { artist: found.artist, title: found.title, value: lyricsText(chosen) } };
  },
  getAlbumList2: async (req) => ({ albumList2: { album: await albumList(req, false) } }),
  getAlbumList: async (req) => ({ albumList: { album: await albumList(req, true) } }),
  getGenres: async (req) => ({
    genres: {
      genre: (await listGenreCounts(req.ctx.db)).map((g) => ({
        songCount: g.songCount,
        albumCount: g.albumCount,
        value: g.name,
      })),
    },
  }),
  getRandomSongs: async (req) => {
    const genre = req.params.get("genre");
    const genreId = genre ? await findGenreId(req.ctx.db, genre) : undefined;
    if (genreId === null) return { randomSongs: { song: [] } };
    const ids = await listTrackIds(req.ctx.db, {
      limit: req.params.int("size", 10, 1, 500),
      offset: 0,
      random: true,
      genreId,
      fromYear: req.params.int("fromYear", undefined, 0, 9999),
      toYear: req.params.int("toYear", undefined, 0, 9999),
    });
    return { randomSongs: { song: await songsByIds(req, ids) } };
  },
  getSongsByGenre: async (req) => {
    const genreId = await findGenreId(req.ctx.db, req.params.required("genre"));
    if (genreId === null) return { songsByGenre: { song: [] } };
    const ids = await listTrackIds(req.ctx.db, {
      limit: req.params.int("count", 10, 1, 500),
      offset: req.params.int("offset", 0, 0, 1_000_000),
      genreId,
      order: "popularity",
    });
    return { songsByGenre: { song: await songsByIds(req, ids) } };
  },
  getStarred2: async (req) => ({ starred2: await starred(req, false) }),
  getStarred: async (req) => ({ starred: await starred(req, true) }),
  getTopSongs: async (req) => {
    const name = req.params.required("artist");
    const ids = await topTrackIdsByArtistName(
      req.ctx.db,
      name,
      req.params.int("count", 50, 1, 500),
    );
    if (ids.length === 0) return { topSongs: { song: [] } };
    return {
      topSongs: {
        song: await songsByIds(req, ids),
      },
    };
  },
  getSimilarSongs2: async (req) => ({
    similarSongs2: { song: await similarSongs(req) },
  }),
  getSimilarSongs: async (req) => ({ similarSongs: { song: await similarSongs(req) } }),
  getSonicSimilarTracks: async (req) => {
    const { uuid } = parseId(req.params.required("id"), ["track"]);
    const found = await similarTracks(req.ctx, uuid, req.params.int("count", 10, 1, 500));
    const entries = await songs(
      req,
      found.map((f) => f.track),
    );
    return { sonicMatch: entries.map((entry, i) => ({ entry, similarity: found[i]!.similarity })) };
  },
  findSonicPath: async (req) => {
    const start = parseId(req.params.required("startSongId"), ["track"]).uuid;
    const end = parseId(req.params.required("endSongId"), ["track"]).uuid;
    const path = await sonicPath(req.ctx, start, end, req.params.int("count", 25, 2, 500));
    const entries = await songs(
      req,
      path.map((p) => p.track),
    );
    return { sonicMatch: entries.map((entry, i) => ({ entry, similarity: path[i]!.similarity })) };
  },
  getArtistInfo2: async (req) => ({ artistInfo2: await artistInfo(req, false) }),
  getArtistInfo: async (req) => ({ artistInfo: await artistInfo(req, true) }),
  getAlbumInfo2: async (req) => ({ albumInfo: await albumInfo(req) }),
  getAlbumInfo: async (req) => ({ albumInfo: await albumInfo(req) }),
  search3: async (req) => ({ searchResult3: await search(req, false) }),
  search2: async (req) => ({ searchResult2: await search(req, true) }),
  stream: (req) => redirectToStream(req, false),
  download: (req) => redirectToStream(req, true),
  getCoverArt: async (req) => {
    const { kind, uuid } = parseId(req.params.required("id"), ["track", "album", "artist"]);
    const size = (req.params.int("size", 300, 1, 10_000) ?? 300) <= 64 ? 64 : 300;
    const trackId =
      kind === "track"
        ? uuid
        : await firstTrackId(req.ctx.db, kind === "album" ? { albumId: uuid } : { artistId: uuid });
    if (!trackId) throw SubsonicErrors.notFound("No cover art");
    const url = await coverUrl(req.ctx, trackId, size);
    req.c.header("Cache-Control", "private, max-age=600");
    return req.c.redirect(url, 302);
  },
  scrobble: async (req) => {
    const ids = req.params.all("id");
    if (ids.length === 0) throw SubsonicErrors.missing("id");
    const submission = req.params.bool("submission", true);
    const times = req.params.all("time");
    const client = (req.params.get("c") ?? "subsonic").slice(0, 32);
    for (const [i, id] of ids.entries()) {
      const { uuid } = parseId(id, ["track"]);
      if (!submission) {
        const now = (await req.ctx.cache.get<Record<string, NowPlaying>>(NOW_PLAYING_KEY)) ?? {};
        now[req.user.userId] = {
          trackId: uuid,
          username: req.user.username,
          player: client,
          at: Date.now(),
        };
        await req.ctx.cache.set(NOW_PLAYING_KEY, now, 3600);
        continue;
      }
      const track = await getTrack(req.ctx, uuid);
      const at = Number(times[i]);
      // The same path as POST /api/v1/analytics/listen: a scrobble is a whole play.
      await recordListen(req.ctx, req.actor, {
        trackId: uuid,
        playDurationMs: track.durationMs,
        completionPercentage: 100,
        platform: "other",
        deviceType: "unknown",
        playedAt:
          Number.isFinite(at) && at > 0 && at <= Date.now() + 60_000 ? new Date(at) : undefined,
      });
    }
    return {};
  },
  getNowPlaying: async (req) => {
    const now = (await req.ctx.cache.get<Record<string, NowPlaying>>(NOW_PLAYING_KEY)) ?? {};
    const fresh = Object.values(now).filter(
      (n) => n.at > Date.now() - NOW_PLAYING_MINUTES * 60_000,
    );
    const views = await trackViewsInOrder(
      req.ctx.db,
      fresh.map((n) => n.trackId),
    );
    const byId = new Map((await songs(req, views)).map((s) => [s.id, s]));
    return {
      nowPlaying: {
        entry: fresh.flatMap((n, i) => {
          const song = byId.get(toId("track", n.trackId));
          return song
            ? [
                {
                  ...song,
                  username: n.username,
                  minutesAgo: Math.floor((Date.now() - n.at) / 60_000),
                  playerId: i + 1,
                  playerName: n.player,
                },
              ]
            : [];
        }),
      },
    };
  },
  star: (req) => starOrUnstar(req, true),
  unstar: (req) => starOrUnstar(req, false),
  setRating: async (req) => {
    // A song or an album (Symfonium and Feishin rate albums too); 0 removes the rating.
    const { kind, uuid } = parseId(req.params.required("id"), ["track", "album"]);
    const rating = req.params.int("rating", undefined, 0, 5);
    if (rating === undefined) throw SubsonicErrors.missing("rating");
    if (kind === "album") await rateAlbum(req.ctx, req.actor, uuid, rating);
    else await rateTrack(req.ctx, req.actor, uuid, rating);
    return {};
  },
  getPlaylists: async (req) => {
    const own = await listMyPlaylists(req.ctx, req.actor, { limit: 500, offset: 0 });
    const smart = await listSmartPlaylists(req.ctx, req.actor, { limit: 200, offset: 0 });
    const smartViews = await Promise.all(
      smart.items.map(async (p) => {
        const list = await evaluateSmartPlaylist(req.ctx, p);
        return smartView(
          p,
          list.length,
          list.reduce((s, t) => s + t.durationMs, 0),
        );
      }),
    );
    return {
      playlists: {
        playlist: [...own.items.map((p) => playlistView(p, req.user.username)), ...smartViews],
      },
    };
  },
  getPlaylist: async (req) => {
    const { kind, uuid } = parseId(req.params.required("id"), ["playlist", "smart"]);
    if (kind === "smart") {
      const p = await getSmartPlaylist(req.ctx, req.actor, uuid);
      const list = await evaluateSmartPlaylist(req.ctx, p);
      return {
        playlist: {
          ...smartView(
            p,
            list.length,
            list.reduce((s, t) => s + t.durationMs, 0),
          ),
          entry: await songs(req, list),
        },
      };
    }
    const p = await getPlaylist(req.ctx, req.actor, uuid);
    return {
      playlist: {
        ...playlistView(p, req.user.username),
        entry: await songs(
          req,
          p.tracks.map((e) => e.track),
        ),
      },
    };
  },
  createPlaylist: async (req) => {
    const existing = req.params.get("playlistId");
    const songIds = req.params.all("songId").map((id) => parseId(id, ["track"]).uuid);
    let id: string;
    if (existing) {
      const { kind, uuid } = parseId(existing, ["playlist", "smart"]);
      if (kind === "smart") throw SubsonicErrors.notAuthorized("Smart playlists are read-only.");
      id = uuid;
      const current = await getPlaylist(req.ctx, req.actor, id);
      for (const e of current.tracks) await removePlaylistTrack(req.ctx, req.actor, id, e.track.id);
      const name = req.params.get("name");
      if (name) await updatePlaylist(req.ctx, req.actor, id, { title: name });
    } else {
      id = (await createPlaylist(req.ctx, req.actor, { title: req.params.required("name") })).id;
    }
    for (const songId of [...new Set(songIds)])
      await addPlaylistTrack(req.ctx, req.actor, id, songId);
    return handlers["getPlaylist"]!({
      ...req,
      params: new Params(new Map([["id", [toId("playlist", id)]]])),
    });
  },
  updatePlaylist: async (req) => {
    const { kind, uuid } = parseId(req.params.required("playlistId"), ["playlist", "smart"]);
    if (kind === "smart") throw SubsonicErrors.notAuthorized("Smart playlists are read-only.");
    const name = req.params.get("name");
    const comment = req.params.get("comment");
    const isPublic = req.params.has("public") ? req.params.bool("public", false) : undefined;
    if (name !== undefined || comment !== undefined || isPublic !== undefined)
      await updatePlaylist(req.ctx, req.actor, uuid, {
        ...(name ? { title: name } : {}),
        ...(comment !== undefined ? { description: comment } : {}),
        ...(isPublic !== undefined ? { isPublic } : {}),
      });
    const remove = req.params.all("songIndexToRemove").map(Number);
    if (remove.length > 0) {
      const current = await getPlaylist(req.ctx, req.actor, uuid);
      const ids = remove.flatMap((i) => current.tracks[i]?.track.id ?? []);
      for (const id of ids) await removePlaylistTrack(req.ctx, req.actor, uuid, id);
    }
    for (const songId of req.params.all("songIdToAdd")) {
      const trackId = parseId(songId, ["track"]).uuid;
      try {
        await addPlaylistTrack(req.ctx, req.actor, uuid, trackId);
      } catch (error) {
        // Already in the playlist (a playlist holds a track once): nothing to add.
        if (!(error instanceof AppError && error.status === 409)) throw error;
      }
    }
    return {};
  },
  deletePlaylist: async (req) => {
    const { kind, uuid } = parseId(req.params.required("id"), ["playlist", "smart"]);
    if (kind === "smart")
      throw SubsonicErrors.notAuthorized("Smart playlists are deleted in the JONQUILS web app.");
    await deletePlaylist(req.ctx, req.actor, uuid);
    return {};
  },
  getPlayQueue: async (req) => {
    const queue = await getPlayQueue(req.ctx, req.actor);
    if (!queue) return {};
    const entry = await songsByIds(req, queue.trackIds);
    const current = queue.currentIndex !== null ? queue.trackIds[queue.currentIndex] : undefined;
    return {
      playQueue: {
        current: current ? toId("track", current) : undefined,
        position: queue.positionMs,
        username: req.user.username,
        changed: queue.updatedAt,
        changedBy: queue.changedBy,
        entry,
      },
    };
  },
  savePlayQueue: async (req) => {
    const ids = req.params.all("id").map((id) => parseId(id, ["track"]).uuid);
    const currentRaw = req.params.get("current");
    const current = currentRaw ? parseId(currentRaw, ["track"]).uuid : undefined;
    const index = current ? ids.indexOf(current) : ids.length > 0 ? 0 : null;
    await savePlayQueue(req.ctx, req.actor, {
      trackIds: ids,
      currentIndex: index === -1 ? 0 : index,
      positionMs: req.params.int("position", 0, 0, Number.MAX_SAFE_INTEGER),
      changedBy: req.params.get("c") ?? "subsonic",
    });
    return {};
  },
};

interface NowPlaying {
  trackId: string;
  username: string;
  player: string;
  at: number;
}

function albumTracks(ctx: Ctx, albumId: string): Promise<TrackView[]> {
  return listTrackViews(ctx.db, { albumId }, "album", { limit: 1000, offset: 0 });
}

async function albumList(req: Req, dir: boolean) {
  const type = req.params.required("type") as AlbumListType;
  if (!(ALBUM_LIST_TYPES as readonly string[]).includes(type))
    throw SubsonicErrors.generic(`Unknown album list type: ${type.slice(0, 40)}`);
  if (type === "byGenre") req.params.required("genre");
  if (type === "byYear") {
    req.params.required("fromYear");
    req.params.required("toYear");
  }
  // Album stats from a per-process cache, the page and the user's stars in one statement.
  const list = await listAlbumPage(req.ctx, {
    type,
    size: req.params.int("size", 10, 1, 500),
    offset: req.params.int("offset", 0, 0, 1_000_000),
    userId: req.user.userId,
    fromYear: req.params.int("fromYear", undefined, 0, 9999),
    toYear: req.params.int("toYear", undefined, 0, 9999),
    genre: req.params.get("genre"),
  });
  return list.map((a) => (dir ? albumDir(a, a.starred) : albumId3(a, a.starred)));
}

async function starred(req: Req, dir: boolean) {
  const page = { limit: 500, offset: 0 };
  const [artistIds, albumIds, trackIds] = await Promise.all(
    (["artist", "album", "track"] as const).map((k) =>
      listLikedIds(req.ctx.db, req.user.userId, k, page),
    ),
  );
  const artistList = await getArtistSummaries(
    req.ctx.db,
    artistIds!.map((a) => a.id),
  );
  const artistStars = new Map(artistIds!.map((a) => [a.id, a.likedAt]));
  return {
    artist: artistList.map((a) =>
      dir ? artistDir(a, artistStars.get(a.id)) : artistId3(a, artistStars.get(a.id)),
    ),
    album: await albumsWithStars(
      req,
      albumIds!.map((a) => a.id),
      dir,
    ),
    song: await songsByIds(
      req,
      trackIds!.map((t) => t.id),
    ),
  };
}

async function similarSongs(req: Req) {
  const { kind, uuid } = parseId(req.params.required("id"), ["track", "album", "artist"]);
  const count = req.params.int("count", 50, 1, 500);
  if (kind === "track")
    return songs(
      req,
      (await similarTracks(req.ctx, uuid, count)).map((s) => s.track),
    );
  const seeds =
    kind === "artist"
      ? await artistSeedTracks(req.ctx.db, uuid, 3)
      : await albumSeedTrackIds(req.ctx.db, uuid, 3);
  const best = new Map<string, { track: TrackView; similarity: number }>();
  for (const seed of seeds) {
    const found = await similarTracks(req.ctx, seed, count, {
      excludeArtistId: kind === "artist" ? uuid : undefined,
    });
    for (const f of found) {
      if (kind === "album" && f.track.album?.id === uuid) continue;
      const prev = best.get(f.track.id);
      if (!prev || prev.similarity < f.similarity) best.set(f.track.id, f);
    }
  }
  const ranked = [...best.values()].sort((a, b) => b.similarity - a.similarity).slice(0, count);
  return songs(
    req,
    ranked.map((r) => r.track),
  );
}

async function artistInfo(req: Req, dir: boolean) {
  const { uuid } = parseId(req.params.required("id"), ["artist"]);
  const row = await getArtist(req.ctx, uuid).catch((error: unknown) => {
    if (error instanceof AppError && error.status === 404)
      throw SubsonicErrors.notFound("Artist not found");
    throw error;
  });
  // Similar artists: the artists of the tracks most like this artist's best ones.
  const seeds = await artistSeedTracks(req.ctx.db, uuid, 2);
  const similar = new Map<string, string>();
  for (const seed of seeds)
    for (const s of await similarTracks(req.ctx, seed, 20, { excludeArtistId: uuid }))
      similar.set(s.track.artist.id, s.track.artist.name);
  const similarList = await getArtistSummaries(
    req.ctx.db,
    [...similar.keys()].slice(0, req.params.int("count", 20, 0, 100)),
  );
  return {
    biography: row.bio ?? undefined,
    smallImageUrl: row.imageUrl ?? undefined,
    mediumImageUrl: row.imageUrl ?? undefined,
    largeImageUrl: row.imageUrl ?? undefined,
    similarArtist: similarList.map((a) => (dir ? artistDir(a) : artistId3(a))),
  };
}

async function albumInfo(req: Req) {
  const { uuid } = parseId(req.params.required("id"), ["album"]);
  const [album] = await getAlbumSummaries(req.ctx.db, [uuid]);
  if (!album) throw SubsonicErrors.notFound("Album not found");
  return {
    notes: `${album.title} by ${album.artistName}${album.year ? ` (${album.year})` : ""}`,
    smallImageUrl: album.coverImageUrl ?? undefined,
    mediumImageUrl: album.coverImageUrl ?? undefined,
    largeImageUrl: album.coverImageUrl ?? undefined,
  };
}

async function search(req: Req, dir: boolean) {
  const q = searchText(req.params.get("query") ?? req.params.get("any"));
  const counts = {
    artist: req.params.int("artistCount", 20, 0, 500),
    album: req.params.int("albumCount", 20, 0, 500),
    song: req.params.int("songCount", 20, 0, 500),
  };
  const offsets = {
    artist: req.params.int("artistOffset", 0, 0, 1_000_000),
    album: req.params.int("albumOffset", 0, 0, 1_000_000),
    song: req.params.int("songOffset", 0, 0, 1_000_000),
  };
  const db = req.ctx.db;
  let artistIds: string[] = [];
  let albumIds: string[] = [];
  let trackIds: string[] = [];
  if (!/[\p{L}\p{N}]/u.test(q)) {
    // An empty query pages through the whole library (Symfonium's offline sync).
    [artistIds, albumIds, trackIds] = await Promise.all([
      counts.artist > 0
        ? listArtistSummaries(db, { limit: counts.artist, offset: offsets.artist }).then((l) =>
            l.map((a) => a.id),
          )
        : [],
      counts.album > 0
        ? listAlbumSummaries(db, {
            type: "alphabeticalByName",
            size: counts.album,
            offset: offsets.album,
            userId: req.user.userId,
          }).then((l) => l.map((a) => a.id))
        : [],
      counts.song > 0 ? listTrackIds(db, { limit: counts.song, offset: offsets.song }) : [],
    ]);
  } else {
    const run = (kind: "artist" | "album" | "track", limit: number, offset: number) =>
      limit > 0
        ? req.ctx.search
            .search({ kind, q, limit, offset, sort: "relevance" })
            .then((r) => r.hits.map((h) => h.document.id))
        : Promise.resolve([] as string[]);
    [artistIds, albumIds, trackIds] = await Promise.all([
      run("artist", counts.artist, offsets.artist),
      run("album", counts.album, offsets.album),
      run("track", counts.song, offsets.song),
    ]);
  }
  const artistStars = await likedAtMap(db, req.user.userId, "artist", artistIds);
  const artistList = await getArtistSummaries(db, artistIds);
  return {
    artist: artistList.map((a) =>
      dir ? artistDir(a, artistStars.get(a.id)) : artistId3(a, artistStars.get(a.id)),
    ),
    album: await albumsWithStars(req, albumIds, dir),
    song: await songsByIds(req, trackIds),
  };
}

async function starOrUnstar(req: Req, on: boolean): Promise<Payload> {
  const targets: [LikeKind, string][] = [
    ...req.params.all("id").map((id): [LikeKind, string] => {
      const { kind, uuid } = parseId(id, ["track", "album", "artist"]);
      return [kind, uuid];
    }),
    ...req.params
      .all("albumId")
      .map((id): [LikeKind, string] => ["album", parseId(id, ["album"]).uuid]),
    ...req.params
      .all("artistId")
      .map((id): [LikeKind, string] => ["artist", parseId(id, ["artist"]).uuid]),
  ];
  if (targets.length === 0) throw SubsonicErrors.missing("id, albumId or artistId");
  for (const [kind, uuid] of targets) {
    if (on) await like(req.ctx, req.actor, kind, uuid);
    else await unlike(req.ctx, req.actor, kind, uuid);
  }
  return {};
}

const lowerNames = new Map(Object.keys(handlers).map((k) => [k.toLowerCase(), k]));

/** The (Open)Subsonic API for player apps, mounted at /rest. */
export function subsonicRoutes(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  const auth = createSubsonicAuth(deps);
  const requestLimit = deps.ports.rateLimits.create(
    "subsonic-ip",
    deps.config.RATE_LIMIT_IP_PER_MINUTE,
    60,
  );

  app.on(["GET", "POST", "HEAD"], "/:method{[A-Za-z0-9]+(?:\\.view)?}", async (c) => {
    const name = c.req.param("method").replace(/\.view$/, "");
    let format: Format = { kind: "xml" };
    try {
      const params = await Params.read(c);
      format = readFormat(params.get("f"), params.get("callback"));
      const method = lowerNames.get(name.toLowerCase());
      if (name === "getOpenSubsonicExtensions")
        return respond(c, format, { openSubsonicExtensions: EXTENSIONS });
      if (!method)
        return respondError(c, format, SubsonicErrors.notFound(`Unknown method: ${name}`), 404);
      const ctx = c.get("ctx");
      if (deps.config.RATE_LIMIT_ENABLED) {
        const decision = await requestLimit.consume(ctx.meta.ip ?? "unknown");
        if (!decision.allowed) {
          c.header("Retry-After", String(decision.resetSeconds));
          return respondError(c, format, SubsonicErrors.generic("Too many requests"), 429);
        }
      }
      const origin = new URL(c.req.url).origin;
      const user = await auth.authenticate(ctx, params, `${origin}/docs#tag/auth`);
      const actor: Actor = { userId: user.userId, role: user.role };
      c.set("actor", actor);
      const result = await handlers[method]!({ c, ctx, params, user, actor, format });
      return result instanceof Response ? result : respond(c, format, result);
    } catch (error) {
      const mapped = toSubsonicError(error);
      if (mapped) return respondError(c, format, mapped);
      c.get("ctx").log.error({ err: error, method: name }, "subsonic request failed");
      return respondError(c, format, SubsonicErrors.generic("Something went wrong on our side."));
    }
  });
  app.all("*", (c) =>
    respondError(c, { kind: "xml" }, SubsonicErrors.notFound(`Unknown method: ${c.req.path}`), 404),
  );
  return app;
}
