import { API_URL } from "../config";
import { http, session } from "./client";
import type {
  Album,
  AlbumDetail,
  Artist,
  Genre,
  Health,
  Page,
  Playlist,
  PlaylistDetail,
  Session,
  Track,
  Upload,
  UploadTicket,
  User,
} from "./types";

const v1 = "/api/v1";

type Query = Record<string, string | number | boolean | undefined | null>;
const clean = (q: Query) =>
  Object.fromEntries(
    Object.entries(q).filter(([, v]) => v !== undefined && v !== null && v !== ""),
  );

const get = async <T>(path: string, params: Query = {}) =>
  (await http.get<T>(path, { params: clean(params) })).data;

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

export const me = () => get<User>(`${v1}/auth/me`);

/** Restores a sign-in from the stored refresh token (page load). */
export async function restoreSession(): Promise<User | null> {
  if (!session.hasRefreshToken) return null;
  return (await session.refresh()) ? session.current : null;
}

// --- catalog ------------------------------------------------------------------------------

export interface TrackQuery extends Query {
  limit?: number;
  offset?: number;
  sort?: "popularity" | "title" | "newest";
  genre?: string;
  artistId?: string;
  albumId?: string;
  year?: number;
}

export const listTracks = (q: TrackQuery = {}) => get<Page<Track>>(`${v1}/tracks`, q);
export const popularTracks = (limit = 12) =>
  get<Page<Track> | Track[]>(`${v1}/tracks/popular`, { limit }).then(itemsOf);
export const getTrack = (id: string) => get<Track>(`${v1}/tracks/${id}`);
export const updateTrack = async (id: string, change: Partial<TrackEdit>) =>
  (await http.patch<Track>(`${v1}/tracks/${id}`, change)).data;

export interface TrackEdit {
  title: string;
  genreId: number | null;
  year: number | null;
  trackNumber: number | null;
  albumId: string | null;
}

export const listGenres = () =>
  get<Genre[] | Page<Genre> | { items: Genre[] }>(`${v1}/genres`).then(itemsOf);
export const listArtists = (q: Query = {}) => get<Page<Artist>>(`${v1}/artists`, q);
export const getArtist = (id: string) => get<Artist>(`${v1}/artists/${id}`);
export const artistTracks = (id: string, q: Query = {}) =>
  get<Page<Track>>(`${v1}/artists/${id}/tracks`, q);
export const artistAlbums = (id: string) => get<Page<Album>>(`${v1}/artists/${id}/albums`);
export const getAlbum = (id: string) => get<AlbumDetail>(`${v1}/albums/${id}`);
export const listAlbums = (q: Query = {}) => get<Page<Album>>(`${v1}/albums`, q);

export async function becomeArtist(input: {
  name: string;
  bio?: string | null;
  country?: string | null;
}) {
  const { data } = await http.post<Artist>(`${v1}/artists`, input);
  // The role changed: a fresh token carries it.
  await session.refresh();
  return data;
}

/** Where the cover thumbnail of a track is (a redirect the browser follows). */
export const coverSrc = (track: Pick<Track, "id">, size: 64 | 300 = 300) =>
  `${API_URL}${v1}/tracks/${track.id}/cover?size=${size}`;
/** Where the audio of a track streams from (a redirect to a signed URL serving Range). */
export const streamSrc = (track: Pick<Track, "id">) =>
  `${API_URL}${v1}/tracks/${track.id}/stream?redirect=1`;

// --- playlists ----------------------------------------------------------------------------

export const myPlaylists = () => get<Page<Playlist>>(`${v1}/playlists`, { limit: 100 });
export const getPlaylist = (id: string) => get<PlaylistDetail>(`${v1}/playlists/${id}`);
export const createPlaylist = async (input: { title: string; isPublic?: boolean }) =>
  (await http.post<Playlist>(`${v1}/playlists`, input)).data;
export const updatePlaylist = async (
  id: string,
  change: { title?: string; description?: string | null; isPublic?: boolean },
) => (await http.patch<Playlist>(`${v1}/playlists/${id}`, change)).data;
export const deletePlaylist = async (id: string) => {
  await http.delete(`${v1}/playlists/${id}`);
};
export const addToPlaylist = async (id: string, trackId: string) => {
  await http.post(`${v1}/playlists/${id}/tracks`, { trackId });
};
export const removeFromPlaylist = async (id: string, trackId: string) => {
  await http.delete(`${v1}/playlists/${id}/tracks/${trackId}`);
};
export const reorderPlaylist = async (id: string, trackIds: string[]) => {
  await http.put(`${v1}/playlists/${id}/tracks`, { trackIds });
};

// --- uploads ------------------------------------------------------------------------------

export const requestUpload = async (input: {
  filename: string;
  contentType: string;
  size: number;
}) => (await http.post<UploadTicket>(`${v1}/tracks/upload`, input)).data;
export const getUpload = (id: string) => get<Upload>(`${v1}/uploads/${id}`);
export const myUploads = (q: Query = {}) => get<Page<Upload>>(`${v1}/uploads`, { limit: 50, ...q });

// --- health -------------------------------------------------------------------------------

/** GET /health answers 503 with the same body when something is down: both are reports. */
export const apiHealth = async () =>
  (await http.get<Health>("/health", { validateStatus: (s) => s === 200 || s === 503 })).data;

export function itemsOf<T>(data: T[] | { items: T[] }): T[] {
  return Array.isArray(data) ? data : data.items;
}
