/** Shapes of the API's JSON (see /openapi.json); only what the web app reads. */

export type Role = "user" | "artist" | "admin";

export interface User {
  id: string;
  username: string;
  email: string;
  role: Role;
  isActive: boolean;
  artistId: string | null;
  createdAt: string;
}

export interface Session {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
  user: User;
}

export interface Ref {
  id: string;
  name: string;
}

export interface Genre {
  id: number;
  name: string;
  slug: string;
  description: string | null;
  /** Catalog tracks in this genre (absent from older servers). */
  trackCount?: number;
}

export interface Track {
  id: string;
  title: string;
  artist: Ref;
  album: { id: string; title: string } | null;
  genre: { id: number; name: string; slug: string } | null;
  genreSource: "tag" | "predicted" | "manual" | null;
  trackNumber: number | null;
  year: number | null;
  durationMs: number;
  popularity: number;
  playCount: number;
  tempo: number | null;
  energy: number | null;
  valence: number | null;
  hasAudio: boolean;
  coverUrl: string | null;
  createdAt: string;
}

export interface Artist {
  id: string;
  name: string;
  bio: string | null;
  country: string | null;
  imageUrl: string | null;
  userId: string | null;
  createdAt: string;
}

export interface Album {
  id: string;
  title: string;
  releaseDate: string | null;
  coverImageUrl: string | null;
  artist: Ref;
  trackCount: number;
  createdAt: string;
}

export interface AlbumDetail extends Album {
  tracks: Track[];
}

export interface Playlist {
  id: string;
  title: string;
  description: string | null;
  isPublic: boolean;
  owner: { id: string; username: string };
  trackCount: number;
  durationMs: number;
  createdAt: string;
  updatedAt: string;
}

export interface PlaylistDetail extends Playlist {
  tracks: { position: number; addedAt: string; track: Track }[];
}

export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  nextOffset: number | null;
}

export type UploadStatus = "pending" | "processing" | "done" | "failed";

export interface Upload {
  id: string;
  status: UploadStatus;
  filename: string;
  contentType: string | null;
  sizeBytes: number | null;
  trackId: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PresignedUpload {
  method: "POST";
  url: string;
  fields: Record<string, string>;
  fileField: "file";
  expiresAt: string;
  maxBytes: number;
}

export interface UploadTicket {
  upload: Upload;
  presigned: PresignedUpload;
}

export interface HealthComponent {
  status: "up" | "down";
  adapter: string;
  latencyMs: number;
  error?: string;
}

export interface Health {
  status: "ok" | "degraded" | "unavailable";
  components: Record<string, HealthComponent>;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { path: string; message: string }[];
}
