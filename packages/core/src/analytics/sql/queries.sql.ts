import {
  POPULARITY_MAX_PER_LISTENER_DAY,
  POPULARITY_MIN_HEARD_MS,
} from "../../listening/popularity";
/**
 * The queries behind the analytics endpoints, shared by both adapters. Parameters use
 * ClickHouse's server-side binding (`{name:Type}`), never string interpolation. Every range
 * is `>= {from}` on the table's time column; each table's ORDER BY key starts with the id the
 * query filters on, so a query reads one key range.
 */

/**
 * Everything of one user's period in one scan of their key range: totals (the empty set),
 * then per track, per artist, per genre, per (hour, weekday) and per day. `set` tells the rows
 * apart: 0 totals, 1 track, 2 artist, 3 genre, 4 hour × weekday, 5 day.
 */
export const USER_SUMMARY = `SELECT
    multiIf(grouping(track_id) = 0, 1, grouping(artist_id) = 0, 2, grouping(genre_id) = 0, 3,
            grouping(hour) = 0, 4, grouping(day) = 0, 5, 0) AS set,
    toString(track_id) AS track, toString(artist_id) AS artist, genre_id AS genre,
    toHour(timestamp) AS hour, toDayOfWeek(timestamp) AS weekday, toDate(timestamp) AS day,
    countIf(action = 'play') AS plays,
    sumIf(duration_played_ms, action = 'play') AS listening_ms,
    uniqIf(track_id, action = 'play') AS distinct_tracks,
    uniqIf(artist_id, action = 'play') AS distinct_artists,
    countIf(action = 'search') AS searches
  FROM user_analytics
  WHERE user_id = {user:UUID} AND timestamp >= {from:DateTime64(3)}
  GROUP BY GROUPING SETS ((track_id), (artist_id), (genre_id), (hour, weekday), (day), ())
  SETTINGS group_by_use_nulls = 1`;

/** Distinct listening days, newest first, for the streak (whatever the period). */
export const USER_DAYS = `SELECT DISTINCT toString(toDate(timestamp)) AS day
  FROM user_analytics WHERE user_id = {user:UUID} AND action = 'play'
  ORDER BY day DESC LIMIT 400`;

/** Period totals (day is NULL) and one row per day, from the daily rollup. */
export const TRACK_DAILY = `SELECT toString(day) AS date, sum(plays) AS plays,
    uniqMerge(listeners) AS unique_listeners, sum(play_ms) AS listening_ms,
    sum(completes) AS completes, sum(skips) AS skips
  FROM track_daily WHERE track_id = {track:UUID} AND day >= {fromDay:Date}
  GROUP BY GROUPING SETS ((day), ()) ORDER BY day DESC NULLS FIRST LIMIT 367
  SETTINGS group_by_use_nulls = 1`;

export const TRACK_SOURCES = `SELECT platform, device_type, count() AS plays,
    avg(completion_percentage) AS avg_completion
  FROM track_analytics WHERE track_id = {track:UUID} AND timestamp >= {from:DateTime64(3)}
  GROUP BY platform, device_type`;

export const ARTIST_DAILY = `SELECT toString(day) AS date, sum(plays) AS plays,
    uniqMerge(listeners) AS unique_listeners, sum(play_ms) AS listening_ms
  FROM artist_daily WHERE artist_id = {artist:UUID} AND day >= {fromDay:Date}
  GROUP BY GROUPING SETS ((day), ()) ORDER BY day DESC NULLS FIRST LIMIT 367
  SETTINGS group_by_use_nulls = 1`;

/** Per track (track set) and per platform × device (track is NULL), in one scan. */
export const ARTIST_BREAKDOWN = `SELECT toString(track_id) AS track, platform, device_type,
    count() AS plays, uniq(user_id) AS unique_listeners,
    countIf(action = 'complete') AS completes, countIf(action = 'skip') AS skips
  FROM artist_analytics WHERE artist_id = {artist:UUID} AND timestamp >= {from:DateTime64(3)}
  GROUP BY GROUPING SETS ((track_id), (platform, device_type))
  SETTINGS group_by_use_nulls = 1`;

/**
 * Over the last 30 days or the period, whichever is longer: active users today / 7 / 30
 * days and period totals (date NULL), and one row per day (the service keeps the period's).
 */
export const PLATFORM_DAILY = `SELECT toString(day) AS date,
    sumIf(plays, day >= {fromDay:Date}) AS plays, sumIf(searches, day >= {fromDay:Date}) AS searches,
    sumIf(requests, day >= {fromDay:Date}) AS requests,
    uniqCombinedMergeIf(14)(active_users, day >= {fromDay:Date}) AS active_users,
    uniqCombinedMergeIf(14)(active_users, day = {today:Date}) AS dau,
    uniqCombinedMergeIf(14)(active_users, day > {today:Date} - 7) AS wau,
    uniqCombinedMergeIf(14)(active_users, day > {today:Date} - 30) AS mau
  FROM platform_daily WHERE day >= least({fromDay:Date}, {today:Date} - 29)
  GROUP BY GROUPING SETS ((day), ()) ORDER BY day DESC NULLS FIRST LIMIT 367
  SETTINGS group_by_use_nulls = 1, prefer_column_name_to_alias = 1`;

export const PLATFORM_ZERO_RESULT_QUERIES = `SELECT lower(trimBoth(query)) AS query, count() AS searches
  FROM search_analytics
  WHERE timestamp >= {from:DateTime64(3)} AND results_count = 0 AND clicked_result_id IS NULL
  GROUP BY query ORDER BY searches DESC, query LIMIT {limit:UInt32}`;

export const PLATFORM_ROUTES = `SELECT method, endpoint AS route, sum(requests) AS requests,
    sum(errors) AS server_errors, sum(client_errors) AS client_errors,
    quantilesMerge(0.5, 0.95, 0.99)(latency) AS latency
  FROM route_daily WHERE day >= {fromDay:Date}
  GROUP BY method, route ORDER BY requests DESC, route, method LIMIT {limit:UInt32}`;

/**
 * Per track: `recent` = plays that count for popularity in the window (heard ≥ 30 s, at most 3 per
 * listener and day: listening/popularity.ts), `total` = every play ever reported (play_count).
 */
export const POPULARITY = `SELECT t.id AS id, r.recent AS recent, t.total AS total
  FROM (SELECT toString(track_id) AS id, sum(plays) AS total FROM track_daily GROUP BY track_id) AS t
  LEFT JOIN (
    SELECT toString(track_id) AS id, sum(least(n, ${POPULARITY_MAX_PER_LISTENER_DAY})) AS recent
    FROM (SELECT track_id, user_id, toDate(timestamp) AS d, count() AS n FROM track_analytics
          WHERE timestamp >= toDateTime64({fromDay:Date}, 3, 'UTC')
            AND duration_played_ms >= ${POPULARITY_MIN_HEARD_MS}
          GROUP BY track_id, user_id, d)
    GROUP BY track_id) AS r ON r.id = t.id`;

export const DAILY_TRACK_STATS = `SELECT toString(day) AS date, toString(track_id) AS id,
    sum(plays) AS plays, uniqMerge(listeners) AS unique_listeners, sum(play_ms) AS play_ms
  FROM track_daily WHERE day >= {fromDay:Date} GROUP BY day, track_id`;

export const DAILY_ARTIST_STATS = `SELECT toString(day) AS date, toString(artist_id) AS id,
    sum(plays) AS plays, uniqMerge(listeners) AS unique_listeners, sum(play_ms) AS play_ms
  FROM artist_daily WHERE day >= {fromDay:Date} GROUP BY day, artist_id`;

export const DAILY_PLATFORM_STATS = `SELECT toString(day) AS date, sum(plays) AS plays,
    sum(searches) AS searches, sum(requests) AS requests, uniqCombinedMerge(14)(active_users) AS active_users
  FROM platform_daily WHERE day >= {fromDay:Date} GROUP BY day`;

/** Requests, server errors and p95 per route and hour, from the raw request log (the ops page). */
export const ROUTE_HOURLY = `SELECT toString(toStartOfHour(timestamp)) AS at, method, endpoint AS route,
    count() AS requests, countIf(status_code >= 500) AS errors,
    quantile(0.95)(response_time_ms) AS p95
  FROM api_requests_log
  WHERE timestamp >= {from:DateTime64(3)}
  GROUP BY at, method, route
  ORDER BY at, route, method`;

/** Requests, server errors and p95 per route over a recent window (the monitoring run). */
export const ROUTE_WINDOW = `SELECT method, endpoint AS route, count() AS requests,
    countIf(status_code >= 500) AS errors, quantile(0.95)(response_time_ms) AS p95
  FROM api_requests_log
  WHERE timestamp >= {from:DateTime64(3)}
  GROUP BY method, route ORDER BY requests DESC, route, method LIMIT 500`;
