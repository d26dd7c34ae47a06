/**
 * Analytics, by concept: the write model (listens, searches) lives with its domain
 * (`listening/listen.ts`, `port.ts`); each read model is one file under `reads/`, sharing
 * `reads/shared.ts` (numbers, top-N, catalog names) and `time.ts` (periods, ClickHouse time).
 */
export type { AnalyticsPort } from "./port";
export { recordSearch, recordSearchClick } from "./port";
// A listen is written with its analytics event in one transaction (the outbox).
export { recordListen, type ListenInput, type ListenResult } from "../listening/listen";

export { chTime, PERIOD_DAYS, periodBounds, type Period } from "./time";
export { getUserAnalytics, listeningStreak } from "./reads/user";
export { getTrackAnalytics } from "./reads/track";
export { getArtistAnalytics } from "./reads/artist";
export { getPlatformAnalytics } from "./reads/platform";
export { routeWindowStats } from "./reads/routes";
