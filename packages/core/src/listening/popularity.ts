/**
 * What counts towards a track's popularity (tracks.popularity, `/tracks/popular`, search
 * ranking): a play heard for at least 30 seconds, at most 3 times per listener, track and UTC
 * day. Every listen still goes to the listening history and to analytics as it was reported;
 * only the popularity score reads through this rule (`POPULARITY` in analytics/sql/queries.sql.ts).
 */
export const POPULARITY_MIN_HEARD_MS = 30_000;
export const POPULARITY_MAX_PER_LISTENER_DAY = 3;
