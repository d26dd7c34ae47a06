import { z } from "zod";

/**
 * OpenSubsonic response schemas, written by hand from the spec pages
 * (opensubsonic.netlify.app / github.com/opensubsonic/open-subsonic-api, content/en/docs/Responses):
 * no registry package publishes the OpenAPI document. Required fields are required here;
 * `.strict()` is not used because servers may add fields.
 */

/** ISO 8601 on the wire; the subsonic-api client revives `created`/`starred`/`changed` into Dates. */
const iso = z.union([
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, "ISO 8601"),
  z.date(),
]);

export const ErrorSchema = z.object({
  code: z.number().int(),
  message: z.string().optional(),
  helpUrl: z.string().optional(),
});

/** subsonic-response: status, version, type, serverVersion, openSubsonic (+ error when failed). */
export const Envelope = z.object({
  status: z.enum(["ok", "failed"]),
  version: z.literal("1.16.1"),
  type: z.literal("jonquils"),
  serverVersion: z.string().min(1),
  openSubsonic: z.literal(true),
  error: ErrorSchema.optional(),
});

const ItemGenre = z.object({ name: z.string() });
const ArtistRef = z.object({ id: z.string(), name: z.string() });

/** Child (a song). */
export const Child = z.object({
  id: z.string().min(1),
  parent: z.string().optional(),
  isDir: z.boolean(),
  title: z.string(),
  album: z.string().optional(),
  artist: z.string().optional(),
  track: z.number().int().optional(),
  year: z.number().int().optional(),
  genre: z.string().optional(),
  coverArt: z.string().optional(),
  size: z.number().int().optional(),
  contentType: z.string().optional(),
  suffix: z.string().optional(),
  duration: z.number().int().optional(),
  bitRate: z.number().int().optional(),
  path: z.string().optional(),
  isVideo: z.boolean().optional(),
  userRating: z.number().int().min(1).max(5).optional(),
  averageRating: z.number().min(1).max(5).optional(),
  playCount: z.number().int().optional(),
  discNumber: z.number().int().optional(),
  created: iso.optional(),
  starred: iso.optional(),
  albumId: z.string().optional(),
  artistId: z.string().optional(),
  type: z.enum(["music", "podcast", "audiobook", "video"]).optional(),
  mediaType: z.enum(["song", "album", "artist"]).optional(),
  bpm: z.number().int().optional(),
  genres: z.array(ItemGenre).optional(),
  artists: z.array(ArtistRef).optional(),
  displayArtist: z.string().optional(),
  albumArtists: z.array(ArtistRef).optional(),
  displayAlbumArtist: z.string().optional(),
});

/** AlbumID3. */
export const AlbumID3 = z.object({
  id: z.string().min(1),
  name: z.string(),
  artist: z.string().optional(),
  artistId: z.string().optional(),
  coverArt: z.string().optional(),
  songCount: z.number().int(),
  duration: z.number().int(),
  playCount: z.number().int().optional(),
  created: iso,
  starred: iso.optional(),
  year: z.number().int().optional(),
  genre: z.string().optional(),
  userRating: z.number().int().optional(),
  genres: z.array(ItemGenre).optional(),
  artists: z.array(ArtistRef).optional(),
  displayArtist: z.string().optional(),
  isCompilation: z.boolean().optional(),
});

/** ArtistID3. */
export const ArtistID3 = z.object({
  id: z.string().min(1),
  name: z.string(),
  coverArt: z.string().optional(),
  artistImageUrl: z.string().optional(),
  albumCount: z.number().int().optional(),
  starred: iso.optional(),
});

/** Artist (folder browsing). */
export const Artist = z.object({ id: z.string(), name: z.string(), starred: iso.optional() });

export const Playlist = z.object({
  id: z.string(),
  name: z.string(),
  comment: z.string().optional(),
  owner: z.string().optional(),
  public: z.boolean().optional(),
  songCount: z.number().int(),
  duration: z.number().int(),
  created: iso,
  changed: iso,
  coverArt: z.string().optional(),
  readonly: z.boolean().optional(),
});

export const PlayQueue = z.object({
  current: z.string().optional(),
  position: z.number().int().optional(),
  username: z.string(),
  changed: iso,
  changedBy: z.string(),
  entry: z.array(Child).optional(),
});

export const IndexID3 = z.object({ name: z.string(), artist: z.array(ArtistID3) });
export const Index = z.object({ name: z.string(), artist: z.array(Artist) });

export const SonicMatch = z.object({ entry: Child, similarity: z.number().min(0).max(1) });

/** Per endpoint: the envelope plus its payload key. */
export const responses = {
  ping: Envelope,
  getLicense: Envelope.extend({ license: z.object({ valid: z.boolean() }) }),
  getOpenSubsonicExtensions: Envelope.extend({
    openSubsonicExtensions: z.array(
      z.object({ name: z.string(), versions: z.array(z.number().int()) }),
    ),
  }),
  tokenInfo: Envelope.extend({ tokenInfo: z.object({ username: z.string() }) }),
  // https://opensubsonic.netlify.app/docs/endpoints/getlyricsbysongid/ (structuredLyrics, line)
  getLyricsBySongId: Envelope.extend({
    lyricsList: z.object({
      structuredLyrics: z
        .array(
          z.object({
            lang: z.string().min(1),
            synced: z.boolean(),
            displayArtist: z.string().optional(),
            displayTitle: z.string().optional(),
            offset: z.number().optional(),
            line: z.array(
              z.object({ start: z.number().int().min(0).optional(), value: z.string() }),
            ),
          }),
        )
        .optional(),
    }),
  }),
  // https://opensubsonic.netlify.app/docs/endpoints/getlyrics/
  getLyrics: Envelope.extend({
    lyrics: z.object({
      artist: z.string().optional(),
      title: z.string().optional(),
      value: z.string().optional(),
    }),
  }),
  getMusicFolders: Envelope.extend({
    musicFolders: z.object({
      musicFolder: z.array(z.object({ id: z.number().int(), name: z.string().optional() })),
    }),
  }),
  getUser: Envelope.extend({
    user: z.object({
      username: z.string(),
      scrobblingEnabled: z.boolean(),
      adminRole: z.boolean(),
      settingsRole: z.boolean(),
      downloadRole: z.boolean(),
      uploadRole: z.boolean(),
      playlistRole: z.boolean(),
      coverArtRole: z.boolean(),
      commentRole: z.boolean(),
      podcastRole: z.boolean(),
      streamRole: z.boolean(),
      jukeboxRole: z.boolean(),
      shareRole: z.boolean(),
      videoConversionRole: z.boolean(),
      folder: z.array(z.number().int()).optional(),
    }),
  }),
  getArtists: Envelope.extend({
    artists: z.object({ ignoredArticles: z.string(), index: z.array(IndexID3).optional() }),
  }),
  getIndexes: Envelope.extend({
    indexes: z.object({
      lastModified: z.number().int(),
      ignoredArticles: z.string(),
      index: z.array(Index).optional(),
    }),
  }),
  getArtist: Envelope.extend({ artist: ArtistID3.extend({ album: z.array(AlbumID3).optional() }) }),
  getMusicDirectory: Envelope.extend({
    directory: z.object({
      id: z.string(),
      parent: z.string().optional(),
      name: z.string(),
      child: z.array(Child).optional(),
    }),
  }),
  getAlbum: Envelope.extend({ album: AlbumID3.extend({ song: z.array(Child).optional() }) }),
  getSong: Envelope.extend({ song: Child }),
  getAlbumList2: Envelope.extend({ albumList2: z.object({ album: z.array(AlbumID3).optional() }) }),
  getAlbumList: Envelope.extend({ albumList: z.object({ album: z.array(Child).optional() }) }),
  getGenres: Envelope.extend({
    genres: z.object({
      genre: z
        .array(
          z.object({
            value: z.string(),
            songCount: z.number().int(),
            albumCount: z.number().int(),
          }),
        )
        .optional(),
    }),
  }),
  getRandomSongs: Envelope.extend({ randomSongs: z.object({ song: z.array(Child).optional() }) }),
  getSongsByGenre: Envelope.extend({ songsByGenre: z.object({ song: z.array(Child).optional() }) }),
  getStarred2: Envelope.extend({
    starred2: z.object({
      artist: z.array(ArtistID3).optional(),
      album: z.array(AlbumID3).optional(),
      song: z.array(Child).optional(),
    }),
  }),
  getStarred: Envelope.extend({
    starred: z.object({
      artist: z.array(Artist).optional(),
      album: z.array(Child).optional(),
      song: z.array(Child).optional(),
    }),
  }),
  getTopSongs: Envelope.extend({ topSongs: z.object({ song: z.array(Child).optional() }) }),
  getSimilarSongs2: Envelope.extend({
    similarSongs2: z.object({ song: z.array(Child).optional() }),
  }),
  getSonicSimilarTracks: Envelope.extend({ sonicMatch: z.array(SonicMatch) }),
  findSonicPath: Envelope.extend({ sonicMatch: z.array(SonicMatch) }),
  getArtistInfo2: Envelope.extend({
    artistInfo2: z.object({
      biography: z.string().optional(),
      similarArtist: z.array(ArtistID3).optional(),
    }),
  }),
  getAlbumInfo2: Envelope.extend({ albumInfo: z.object({ notes: z.string().optional() }) }),
  search3: Envelope.extend({
    searchResult3: z.object({
      artist: z.array(ArtistID3).optional(),
      album: z.array(AlbumID3).optional(),
      song: z.array(Child).optional(),
    }),
  }),
  search2: Envelope.extend({
    searchResult2: z.object({
      artist: z.array(Artist).optional(),
      album: z.array(Child).optional(),
      song: z.array(Child).optional(),
    }),
  }),
  getNowPlaying: Envelope.extend({
    nowPlaying: z.object({
      entry: z
        .array(
          Child.extend({
            username: z.string(),
            minutesAgo: z.number().int(),
            playerId: z.number().int(),
            playerName: z.string().optional(),
          }),
        )
        .optional(),
    }),
  }),
  getPlaylists: Envelope.extend({
    playlists: z.object({ playlist: z.array(Playlist).optional() }),
  }),
  getPlaylist: Envelope.extend({ playlist: Playlist.extend({ entry: z.array(Child).optional() }) }),
  createPlaylist: Envelope.extend({
    playlist: Playlist.extend({ entry: z.array(Child).optional() }),
  }),
  getPlayQueue: Envelope.extend({ playQueue: PlayQueue.optional() }),
  ok: Envelope,
} as const;
