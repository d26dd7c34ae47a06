/**
 * Generates a benchmark catalog with set-based SQL (insert … select from
 * generate_series), so 100,000 tracks take seconds, not minutes. Runs the same
 * statements on PGlite and on a PostgreSQL server: the caller supplies `exec`.
 */

export interface CatalogSize {
  tracks: number;
  albums: number;
  artists: number;
}

/** 100,000 tracks → 10,000 albums (10 tracks each) → 5,000 artists (2 albums each). */
export function catalogSize(tracks: number): CatalogSize {
  const albums = Math.max(1, Math.round(tracks / 10));
  return { tracks, albums, artists: Math.max(1, Math.round(albums / 2)) };
}

const sqlArray = (words: readonly string[]) =>
  `array[${words.map((w) => `'${w.replaceAll("'", "''")}'`).join(",")}]::text[]`;

// Deterministic syllables make unique artist names (base-20 digits of the row number).
const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "ra",
  "ve",
  "no",
  "ta",
  "si",
  "du",
  "ne",
  "zo",
  "fa",
  "li",
  "mo",
  "ri",
  "sa",
  "be",
  "ko",
  "an",
  "el",
];
const ADJECTIVES = [
  "silent",
  "golden",
  "northern",
  "broken",
  "electric",
  "velvet",
  "hollow",
  "bright",
  "midnight",
  "paper",
  "crystal",
  "wild",
  "lonely",
  "burning",
  "frozen",
  "distant",
  "gentle",
  "neon",
  "hidden",
  "endless",
  "scarlet",
  "quiet",
  "restless",
  "secret",
  "silver",
  "summer",
  "winter",
  "faded",
  "lucky",
  "sacred",
  "crooked",
  "bitter",
  "sweet",
  "heavy",
  "open",
  "falling",
  "rising",
  "last",
  "first",
  "blue",
  "amber",
  "wandering",
  "tender",
  "savage",
  "little",
  "painted",
  "analog",
];
const NOUNS = [
  "river",
  "light",
  "heart",
  "city",
  "ocean",
  "garden",
  "machine",
  "echo",
  "shadow",
  "mirror",
  "highway",
  "window",
  "fire",
  "storm",
  "harbour",
  "signal",
  "dream",
  "island",
  "forest",
  "engine",
  "letter",
  "morning",
  "season",
  "kingdom",
  "skyline",
  "temple",
  "circus",
  "desert",
  "orbit",
  "satellite",
  "lantern",
  "meadow",
  "canyon",
  "station",
  "parade",
  "feather",
  "thunder",
  "avenue",
  "horizon",
  "glacier",
  "harvest",
  "compass",
  "ballroom",
  "voltage",
  "anthem",
  "monsoon",
  "cathedral",
  "tide",
  "ember",
  "frontier",
  "chorus",
  "static",
  "reverie",
];
const COUNTRIES = [
  "US",
  "GB",
  "SE",
  "DE",
  "FR",
  "BR",
  "JP",
  "NG",
  "KR",
  "CA",
  "AU",
  "NL",
  "ES",
  "IT",
  "MX",
  "RU",
];

/** The statements, in order. Deterministic for a given size (setseed + row numbers). */
export function catalogStatements(size: CatalogSize): string[] {
  const { tracks, albums, artists } = size;
  const syl = sqlArray(SYLLABLES);
  const adj = sqlArray(ADJECTIVES);
  const noun = sqlArray(NOUNS);
  const countries = sqlArray(COUNTRIES);
  const pick = (arr: string, n: number) => `(${arr})[1 + floor(random() * ${n})::int]`;
  return [
    `select setseed(0.42)`,
    // Artists: unique first word from the row number's base-20 digits, random second word.
    `insert into artists (name, name_key, country, bio, image_url, created_at, updated_at)
     select name, lower(name), ${pick(countries, COUNTRIES.length)},
            'Generated artist #' || g || ': ' || ${pick(adj, ADJECTIVES.length)} || ' songs about the ' || ${pick(noun, NOUNS.length)} || '.',
            case when random() < 0.7 then 'https://img.jonquils.dev/artists/' || g || '.jpg' end,
            ts, ts
     from (
       select g,
              initcap((${syl})[1 + g % 20] || (${syl})[1 + (g / 20) % 20] || (${syl})[1 + (g / 400) % 20] || (${syl})[1 + (g / 8000) % 20])
                || ' ' || initcap(${pick(noun, NOUNS.length)}) as name,
              now() - random() * interval '1500 days' as ts
       from generate_series(1, ${artists}) g
     ) s`,
    // Albums: album g belongs to artist 1 + (g-1) % artists; titles differ per artist (adjective index).
    `insert into albums (artist_id, title, title_key, release_date, cover_image_url, created_at, updated_at)
     select a.id, t.title, lower(t.title), t.release, 'https://img.jonquils.dev/covers/' || t.g || '.jpg', t.ts, t.ts
     from (
       select g,
              initcap((${adj})[1 + g % ${ADJECTIVES.length}] || ' ' || (${noun})[1 + (g / ${ADJECTIVES.length}) % ${NOUNS.length}]) as title,
              (date '1965-01-01' + floor(power(random(), 0.35) * 22000)::int) as release,
              now() - random() * interval '1000 days' as ts
       from generate_series(1, ${albums}) g
     ) t
     join (select id, row_number() over (order by id) as rn from artists) a on a.rn = 1 + (t.g - 1) % ${artists}`,
    // Tracks: track g is number 1 + (g-1) / albums on album 1 + (g-1) % albums; genre per album, 8 % untagged.
    `insert into tracks (artist_id, album_id, genre_id, genre_source, genre_confidence, title, track_number, disc_number, year,
                         duration_ms, file_path, file_format, file_size_bytes, bitrate, sample_rate, channels,
                         popularity, play_count, tempo, energy, valence, loudness, created_at, updated_at)
     select s.artist_id, s.album_id, s.genre_id,
            case when s.genre_id is null then null when s.r1 < 0.7 then 'tag' else 'predicted' end::genre_source,
            case when s.genre_id is not null and s.r1 >= 0.7 then round((0.5 + random() * 0.5)::numeric, 3)::real end,
            s.title, s.track_number, 1, s.year, s.duration_ms,
            case when s.has_audio then 'audio/' || s.g || '.' || s.fmt end,
            case when s.has_audio then s.fmt end,
            case when s.has_audio then (s.duration_ms::bigint * 40) end,
            case when s.has_audio then case s.fmt when 'mp3' then 320000 when 'ogg' then 192000 else 900000 end end,
            case when s.has_audio then 44100 end,
            case when s.has_audio then 2 end,
            s.popularity, floor(power(s.popularity, 3) * random() * 20)::bigint,
            round((60 + random() * 120)::numeric, 1)::real, round(random()::numeric, 3)::real, round(random()::numeric, 3)::real,
            round((-25 + random() * 22)::numeric, 1)::real,
            s.ts, s.ts + random() * interval '30 days'
     from (
       select g, al.artist_id, al.id as album_id,
              case when (al.rn * 7919) % 100 < 8 then null else gs.ids[1 + (al.rn * 104729) % array_length(gs.ids, 1)] end as genre_id,
              random() as r1,
              initcap(${pick(adj, ADJECTIVES.length)} || ' ' || ${pick(noun, NOUNS.length)}) || case when random() < 0.15 then ' (Live)' when random() < 0.1 then ' - Remastered' else '' end as title,
              (1 + (g - 1) / ${albums})::smallint as track_number,
              extract(year from al.release_date)::smallint as year,
              (90000 + floor(random() * 330000))::int as duration_ms,
              random() < 0.9 as has_audio,
              ${pick(sqlArray(["mp3", "mp3", "mp3", "flac", "ogg"]), 5)} as fmt,
              least(100, floor(power(random(), 2.5) * 101))::smallint as popularity,
              now() - random() * interval '730 days' as ts
       from generate_series(1, ${tracks}) g
       join (select id, artist_id, release_date, row_number() over (order by id) as rn from albums) al on al.rn = 1 + (g - 1) % ${albums}
       cross join (select array_agg(id order by id) as ids from genres) gs
     ) s`,
    `analyze`,
  ];
}

/** Runs every statement; returns the row counts it reached. */
export async function generateCatalog(
  exec: (sql: string) => Promise<void>,
  count: (sql: string) => Promise<number>,
  size: CatalogSize,
): Promise<CatalogSize & { ms: number }> {
  const started = performance.now();
  for (const statement of catalogStatements(size)) await exec(statement);
  const [tracks, albums, artists] = [
    await count("select count(*)::int as n from tracks"),
    await count("select count(*)::int as n from albums"),
    await count("select count(*)::int as n from artists"),
  ];
  return { tracks, albums, artists, ms: Math.round(performance.now() - started) };
}
