/**
 * The queries behind the analytics endpoints, shared by both adapters. Parameters use
 * ClickHouse's server-side binding (`{name:Type}`), never string interpolation. Every range
 * is `>= {from}` on the table's time column; each table's ORDER BY key starts with the id the
 * query filters on, so a query reads one key range.
 */

const USER_PLAYS = `FROM user_analytics
  WHERE user_id = {user:UUID} AND timestamp >= {from:DateTime64(3)} AND action = 'play'`;

export const USER_TOTALS = `SELECT
    countIf(action = 'play') AS plays,
    sumIf(duration_played_ms, action = 'play') AS listening_ms,
    uniqIf(track_id, action = 'play') AS distinct_tracks,
    uniqIf(artist_id, action = 'play') AS distinct_artists,
    countIf(action = 'search') AS searches
  FROM user_analytics
  WHERE user_id = {user:UUID} AND timestamp >= {from:DateTime64(3)}`;

export const USER_TOP_TRACKS = `SELECT toString(assumeNotNull(track_id)) AS id, count() AS plays,
    sum(duration_played_ms) AS listening_ms
  ${USER_PLAYS} GROUP BY id ORDER BY plays DESC, id LIMIT {limit:UInt32}`;

export const USER_TOP_ARTISTS = `SELECT toString(assumeNotNull(artist_id)) AS id, count() AS plays,
    sum(duration_played_ms) AS listening_ms
  ${USER_PLAYS} GROUP BY id ORDER BY plays DESC, id LIMIT {limit:UInt32}`;

export const USER_TOP_GENRES = `SELECT assumeNotNull(genre_id) AS id, count() AS plays,
    sum(duration_played_ms) AS listening_ms
  ${USER_PLAYS} AND genre_id IS NOT NULL GROUP BY id ORDER BY plays DESC, id LIMIT {limit:UInt32}`;

/** Hour of day (0–23, UTC) and ISO weekday (1 = Monday) in one pass. */
export const USER_ACTIVITY = `SELECT toHour(timestamp) AS hour, toDayOfWeek(timestamp) AS weekday,
    count() AS plays
  ${USER_PLAYS} GROUP BY hour, weekday`;

/** Distinct listening days, newest first, for the streak (whatever the period). */
export const USER_DAYS = `SELECT DISTINCT toString(toDate(timestamp)) AS day
  FROM user_analytics WHERE user_id = {user:UUID} AND action = 'play'
  ORDER BY day DESC LIMIT 400`;

export const TRACK_TOTALS = `SELECT sum(plays) AS plays, uniqMerge(listeners) AS unique_listeners,
    sum(play_ms) AS listening_ms, sum(completes) AS completes, sum(skips) AS skips
  FROM track_daily WHERE track_id = {track:UUID} AND day >= {fromDay:Date}`;

export const TRACK_PER_DAY = `SELECT toString(day) AS date, sum(plays) AS plays,
    uniqMerge(listeners) AS unique_listeners
  FROM track_daily WHERE track_id = {track:UUID} AND day >= {fromDay:Date}
  GROUP BY day ORDER BY day DESC LIMIT 366`;

export const TRACK_SOURCES = `SELECT platform, device_type, count() AS plays,
    avg(completion_percentage) AS avg_completion
  FROM track_analytics WHERE track_id = {track:UUID} AND timestamp >= {from:DateTime64(3)}
  GROUP BY platform, device_type`;

export const ARTIST_TOTALS = `SELECT sum(plays) AS plays, uniqMerge(listeners) AS unique_listeners,
    sum(play_ms) AS listening_ms
  FROM artist_daily WHERE artist_id = {artist:UUID} AND day >= {fromDay:Date}`;

export const ARTIST_PER_DAY = `SELECT toString(day) AS date, sum(plays) AS plays,
    uniqMerge(listeners) AS unique_listeners
  FROM artist_daily WHERE artist_id = {artist:UUID} AND day >= {fromDay:Date}
  GROUP BY day ORDER BY day DESC LIMIT 366`;

export const ARTIST_TOP_TRACKS = `SELECT toString(track_id) AS id, count() AS plays,
    uniq(user_id) AS unique_listeners, countIf(action = 'complete') AS completes,
    countIf(action = 'skip') AS skips
  FROM artist_analytics WHERE artist_id = {artist:UUID} AND timestamp >= {from:DateTime64(3)}
  GROUP BY id ORDER BY plays DESC, id LIMIT {limit:UInt32}`;

export const ARTIST_SOURCES = `SELECT platform, device_type, count() AS plays
  FROM artist_analytics WHERE artist_id = {artist:UUID} AND timestamp >= {from:DateTime64(3)}
  GROUP BY platform, device_type`;

/** Daily, weekly (7 days) and monthly (30 days) active users from the merged uniq states. */
export const PLATFORM_ACTIVE = `SELECT
    uniqMergeIf(active_users, day = {today:Date}) AS dau,
    uniqMergeIf(active_users, day > {today:Date} - 7) AS wau,
    uniqMerge(active_users) AS mau
  FROM platform_daily WHERE day > {today:Date} - 30`;

export const PLATFORM_TOTALS = `SELECT sum(plays) AS plays, sum(searches) AS searches,
    sum(requests) AS requests, uniqMerge(active_users) AS active_users
  FROM platform_daily WHERE day >= {fromDay:Date}`;

export const PLATFORM_PER_DAY = `SELECT toString(day) AS date, sum(plays) AS plays,
    sum(searches) AS searches, sum(requests) AS requests, uniqMerge(active_users) AS active_users
  FROM platform_daily WHERE day >= {fromDay:Date}
  GROUP BY day ORDER BY day DESC LIMIT 366`;

export const PLATFORM_ZERO_RESULT_QUERIES = `SELECT lower(trimBoth(query)) AS query, count() AS searches
  FROM search_analytics
  WHERE timestamp >= {from:DateTime64(3)} AND results_count = 0 AND clicked_result_id IS NULL
  GROUP BY query ORDER BY searches DESC, query LIMIT {limit:UInt32}`;

export const PLATFORM_ROUTES = `SELECT method, endpoint AS route, sum(requests) AS requests,
    sum(errors) AS server_errors, sum(client_errors) AS client_errors,
    quantilesMerge(0.5, 0.95, 0.99)(latency) AS latency
  FROM route_daily WHERE day >= {fromDay:Date}
  GROUP BY method, route ORDER BY requests DESC, route, method LIMIT {limit:UInt32}`;

/** Per track over the popularity window and all time, for tracks.popularity and play_count. */
export const POPULARITY = `SELECT toString(track_id) AS id, sumIf(plays, day >= {fromDay:Date}) AS recent,
    sum(plays) AS total
  FROM track_daily GROUP BY track_id`;

export const DAILY_TRACK_STATS = `SELECT toString(day) AS date, toString(track_id) AS id,
    sum(plays) AS plays, uniqMerge(listeners) AS unique_listeners, sum(play_ms) AS play_ms
  FROM track_daily WHERE day >= {fromDay:Date} GROUP BY day, track_id`;

export const DAILY_ARTIST_STATS = `SELECT toString(day) AS date, toString(artist_id) AS id,
    sum(plays) AS plays, uniqMerge(listeners) AS unique_listeners, sum(play_ms) AS play_ms
  FROM artist_daily WHERE day >= {fromDay:Date} GROUP BY day, artist_id`;

export const DAILY_PLATFORM_STATS = `SELECT toString(day) AS date, sum(plays) AS plays,
    sum(searches) AS searches, sum(requests) AS requests, uniqMerge(active_users) AS active_users
  FROM platform_daily WHERE day >= {fromDay:Date} GROUP BY day`;
