/**
 * Shapes of the API's JSON, named for the app. Every one is generated from the API's
 * /openapi.json (`schema.gen.ts`, `npm run api:types`): nothing here is written by hand, so the
 * SPA and the API cannot drift apart without `npm run typecheck` failing.
 */
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

export type User = Schemas["User"];
export type Role = User["role"];
export type Session = Schemas["Session"];
export type Genre = Schemas["Genre"];
export type Track = Schemas["Track"];
export type Ref = Track["artist"];
export type Artist = Schemas["Artist"];
export type Album = Schemas["Album"];
export type AlbumDetail = Schemas["AlbumDetail"];
export type Playlist = Schemas["Playlist"];
export type PlaylistDetail = Schemas["PlaylistDetail"];
export type Upload = Schemas["Upload"];
export type UploadStatus = Upload["status"];
export type PresignedUpload = Schemas["PresignedUpload"];
export type UploadTicket = Schemas["UploadTicket"];
export type Health = Schemas["Health"];
export type HealthComponent = NonNullable<Health["components"]>[string];
export type Problem = Partial<Schemas["Problem"]>;
export type LikedTrack = Schemas["LikedTrackPage"]["items"][number];
export type PlayQueue = Schemas["PlayQueue"];
export type SmartPlaylist = Schemas["SmartPlaylist"];
export type SmartRules = Schemas["SmartPlaylistRules"];
export type SmartSort = SmartPlaylist["sort"];
export type SimilarTrack = Schemas["SimilarTracks"]["items"][number];
export type AppPassword = Schemas["AppPassword"];
export type CreatedAppPassword = Schemas["CreatedAppPassword"];
export type ApiKey = Schemas["ApiKey"];
export type CreatedApiKey = Schemas["CreatedApiKey"];
export type PlaylistExport = Schemas["PlaylistExport"];
export type ExportFormat = PlaylistExport["format"];
export type ArtistAnalytics = Schemas["ArtistAnalytics"];

/** A page of a list endpoint (`{items, limit, offset, nextOffset}` throughout the API). */
export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  nextOffset: number | null;
}
