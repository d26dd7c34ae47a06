import { API_URL } from "../config";
import { http, session } from "./client";
import type { ExportFormat, Health, Session, Track, User } from "./types";
import { api, type Options, type PathWith } from "./typed";

const v1 = "/api/v1";

/** The query a GET route takes, from the API's document. */
type Query<P extends PathWith<"get">> = Options<P, "get">["query"];
/** The JSON body a route reads, from the API's document. */
type Body<P extends PathWith<"post">, M extends "post"> = NonNullable<Options<P, M>["body"]>;

// --- auth ---------------------------------------------------------------------------------

export async function register(input: { username: string; email: string; password: string }) {
  const { data } = await http.post<Session>(`${v1}/auth/register`, input, { skipAuth: true });
  session.accept(data);
  return data.user;
}

export async function login(input: { login: string; password: string }) {
  const { data } = await http.post<Session>(`${v1}/auth/login`, input, { skipAuth: true });
  session.accept(data);
  return data.user;
}

export async function logout() {
  const token = localStorage.getItem("jonquils.refreshToken");
  session.clear();
  if (token) {
    await http
      .post(`${v1}/auth/logout`, { refreshToken: token }, { skipAuth: true })
      .catch(() => undefined); // signing out locally is what matters
  }
}

export const me = () => api.get("/api/v1/auth/me");

/** Restores a sign-in from the stored refresh token (page load). */
export async function restoreSession(): Promise<User | null> {
  if (!session.hasRefreshToken) return null;
  return (await session.refresh()) ? session.current : null;
}

// --- catalog ------------------------------------------------------------------------------

export type TrackQuery = NonNullable<Query<"/api/v1/tracks">>;

export const listTracks = (query: TrackQuery = {}) => api.get("/api/v1/tracks", { query });
export const popularTracks = (limit = 12) =>
  api.get("/api/v1/tracks/popular", { query: { limit } }).then((d) => d.items);
export const getTrack = (id: string) => api.get("/api/v1/tracks/{id}", { path: { id } });
export const updateTrack = (id: string, body: Partial<TrackEdit>) =>
  api.patch("/api/v1/tracks/{id}", { path: { id }, body });

export interface TrackEdit {
  title: string;
  genreId: number | null;
  year: number | null;
  trackNumber: number | null;
  albumId: string | null;
}

export const listGenres = () => api.get("/api/v1/genres").then((d) => d.items);
export const listArtists = (query: Query<"/api/v1/artists"> = {}) =>
  api.get("/api/v1/artists", { query });
export const getArtist = (id: string) => api.get("/api/v1/artists/{id}", { path: { id } });
export const artistTracks = (id: string, query: Query<"/api/v1/artists/{id}/tracks"> = {}) =>
  api.get("/api/v1/artists/{id}/tracks", { path: { id }, query });
export const artistAlbums = (id: string) =>
  api.get("/api/v1/artists/{id}/albums", { path: { id } });
export const getAlbum = (id: string) => api.get("/api/v1/albums/{id}", { path: { id } });
export const listAlbums = (query: Query<"/api/v1/albums"> = {}) =>
  api.get("/api/v1/albums", { query });

export async function becomeArtist(input: {
  name: string;
  bio?: string | null;
  country?: string | null;
}) {
  const artist = await api.post("/api/v1/artists", { body: input });
  // The role changed: a fresh token carries it.
  await session.refresh();
  return artist;
}

/** Where the cover thumbnail of a track is (a redirect the browser follows). */
export const coverSrc = (track: Pick<Track, "id">, size: 64 | 300 = 300) =>
  `${API_URL}${v1}/tracks/${track.id}/cover?size=${size}`;
/** Where the audio of a track streams from (a redirect to a signed URL serving Range). */
export const streamSrc = (track: Pick<Track, "id">) =>
  `${API_URL}${v1}/tracks/${track.id}/stream?redirect=1`;

// --- likes, ratings, "more like this" -------------------------------------------------------

export const likeTrack = (id: string) => api.put("/api/v1/tracks/{id}/like", { path: { id } });
export const unlikeTrack = (id: string) => api.delete("/api/v1/tracks/{id}/like", { path: { id } });
export const likedTracks = (query: Query<"/api/v1/me/likes"> = {}) =>
  api.get("/api/v1/me/likes", { query });
export const getTrackRating = (id: string) =>
  api.get("/api/v1/tracks/{id}/rating", { path: { id } });
export const rateTrack = (id: string, rating: number | null) =>
  api.put("/api/v1/tracks/{id}/rating", { path: { id }, body: { rating } });
export const similarTracks = (id: string, limit = 25) =>
  api.get("/api/v1/tracks/{id}/similar", { path: { id }, query: { limit } });

// --- playlists ----------------------------------------------------------------------------

export const myPlaylists = () => api.get("/api/v1/playlists", { query: { limit: 100 } });
export const getPlaylist = (id: string) => api.get("/api/v1/playlists/{id}", { path: { id } });
export const createPlaylist = (body: { title: string; isPublic?: boolean }) =>
  api.post("/api/v1/playlists", { body });
export const updatePlaylist = (
  id: string,
  body: { title?: string; description?: string | null; isPublic?: boolean },
) => api.patch("/api/v1/playlists/{id}", { path: { id }, body });
export const deletePlaylist = async (id: string) => {
  await api.delete("/api/v1/playlists/{id}", { path: { id } });
};
export const addToPlaylist = async (id: string, trackId: string) => {
  await api.post("/api/v1/playlists/{id}/tracks", { path: { id }, body: { trackId } });
};
export const removeFromPlaylist = async (id: string, trackId: string) => {
  await api.delete("/api/v1/playlists/{id}/tracks/{trackId}", { path: { id, trackId } });
};
export const reorderPlaylist = async (id: string, trackIds: string[]) => {
  await api.put("/api/v1/playlists/{id}/tracks", { path: { id }, body: { trackIds } });
};
export const exportPlaylist = (id: string, format: ExportFormat) =>
  api.post("/api/v1/playlists/{id}/export", { path: { id }, body: { format } });

// --- smart playlists ----------------------------------------------------------------------

export type SmartPlaylistInput = Body<"/api/v1/smart-playlists", "post">;

export const mySmartPlaylists = () => api.get("/api/v1/smart-playlists", { query: { limit: 100 } });
export const getSmartPlaylist = (id: string) =>
  api.get("/api/v1/smart-playlists/{id}", { path: { id } });
export const smartPlaylistTracks = (id: string, limit = 100) =>
  api.get("/api/v1/smart-playlists/{id}/tracks", { path: { id }, query: { limit } });
export const createSmartPlaylist = (body: SmartPlaylistInput) =>
  api.post("/api/v1/smart-playlists", { body });
export const updateSmartPlaylist = (id: string, body: Partial<SmartPlaylistInput>) =>
  api.patch("/api/v1/smart-playlists/{id}", { path: { id }, body });
export const deleteSmartPlaylist = async (id: string) => {
  await api.delete("/api/v1/smart-playlists/{id}", { path: { id } });
};

// --- player apps: app passwords and API keys -------------------------------------------------

export const appPasswords = () => api.get("/api/v1/auth/app-passwords");
export const createAppPassword = (name: string) =>
  api.post("/api/v1/auth/app-passwords", { body: { name } });
export const revokeAppPassword = async (id: string) => {
  await api.delete("/api/v1/auth/app-passwords/{id}", { path: { id } });
};
export const apiKeys = () => api.get("/api/v1/auth/api-keys");
export const createApiKey = (name: string) => api.post("/api/v1/auth/api-keys", { body: { name } });
export const revokeApiKey = async (id: string) => {
  await api.delete("/api/v1/auth/api-keys/{id}", { path: { id } });
};

// --- uploads ------------------------------------------------------------------------------

export const requestUpload = (body: { filename: string; contentType: string; size: number }) =>
  api.post("/api/v1/tracks/upload", { body });
/** A single-use form to replace a track's audio (its artist or an admin); same track, new file. */
export const requestReplacement = (
  trackId: string,
  body: { filename: string; contentType: string; size: number },
) => api.post("/api/v1/tracks/{id}/audio", { path: { id: trackId }, body });
export const getUpload = (id: string) => api.get("/api/v1/uploads/{id}", { path: { id } });
export const myUploads = (query: Query<"/api/v1/uploads"> = {}) =>
  api.get("/api/v1/uploads", { query: { limit: 50, ...query } });

// --- health -------------------------------------------------------------------------------

/** GET /health answers 503 with the same body when something is down: both are reports. */
export const apiHealth = async () =>
  (await http.get<Health>("/health", { validateStatus: (s) => s === 200 || s === 503 })).data;

export function itemsOf<T>(data: T[] | { items: T[] }): T[] {
  return Array.isArray(data) ? data : data.items;
}
