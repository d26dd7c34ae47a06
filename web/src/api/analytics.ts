import { http } from "./client";

export type Period = "week" | "month" | "year" | "all";

interface Top {
  plays: number;
  listeningTimeMs: number;
}

/** GET /api/v1/analytics/user/{id}: optional parts are shown when the API sends them. */
export interface UserStats {
  period: Period;
  plays: number;
  listeningTimeMs: number;
  distinctTracks?: number;
  distinctArtists?: number;
  topTracks: (Top & { trackId: string; title: string | null })[];
  topArtists: (Top & { artistId: string; name: string | null })[];
  topGenres: (Top & { genreId: number; name: string | null })[];
  activityByHour?: { hour: number; plays: number }[];
  activityByWeekday?: { weekday: number; plays: number }[];
  /** Hour × weekday cells (UTC). */
  activity?: { hour: number; weekday: number; plays: number }[];
  /** Listening per day, oldest first. */
  listeningPerDay?: { day: string; listeningTimeMs: number; plays?: number }[];
  streak?: { currentDays: number; longestDays: number };
}

export const userStats = async (userId: string, period: Period) =>
  (await http.get<UserStats>(`/api/v1/analytics/user/${userId}`, { params: { period } })).data;

/** GET /api/v1/analytics/platform (admins). */
export type PlatformStats = Record<string, unknown>;
export const platformStats = async (period: Period = "week") =>
  (await http.get<PlatformStats>("/api/v1/analytics/platform", { params: { period } })).data;
