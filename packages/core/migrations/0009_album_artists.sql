-- Albums keyed by album artist: tracks an admin imported were filed in one album per TRACK
-- artist. Regroup them under the tagged album artist (compilations under "Various Artists").
CREATE TEMP TABLE "album_regroup" ON COMMIT DROP AS
SELECT t."id" AS track_id, t."album_id" AS old_album_id, a."title" AS title, a."title_key" AS title_key,
  CASE WHEN lower(btrim(u."staged"->'tags'->>'albumArtist')) IN ('various artists', 'various', 'va', 'v.a.', 'v/a', 'various artist')
    THEN 'Various Artists' ELSE btrim(regexp_replace(u."staged"->'tags'->>'albumArtist', '\s+', ' ', 'g')) END AS album_artist
FROM "tracks" t
JOIN "albums" a ON a."id" = t."album_id"
JOIN "staging"."track_uploads" u ON u."track_id" = t."id"
JOIN "users" us ON us."id" = u."user_id" AND us."role" = 'admin'
WHERE coalesce(btrim(u."staged"->'tags'->>'albumArtist'), '') <> '';
--> statement-breakpoint
INSERT INTO "artists" ("name", "name_key")
SELECT DISTINCT ON (lower(album_artist)) album_artist, lower(album_artist) FROM "album_regroup"
ON CONFLICT ("name_key") DO NOTHING;
--> statement-breakpoint
INSERT INTO "albums" ("artist_id", "title", "title_key")
SELECT DISTINCT ON (ar."id", r.title_key) ar."id", r.title, r.title_key
FROM "album_regroup" r JOIN "artists" ar ON ar."name_key" = lower(r.album_artist)
ON CONFLICT ("artist_id", "title_key") DO NOTHING;
--> statement-breakpoint
UPDATE "tracks" t SET "album_id" = al."id"
FROM "album_regroup" r
JOIN "artists" ar ON ar."name_key" = lower(r.album_artist)
JOIN "albums" al ON al."artist_id" = ar."id" AND al."title_key" = r.title_key
WHERE t."id" = r.track_id AND t."album_id" IS DISTINCT FROM al."id";
--> statement-breakpoint
DELETE FROM "albums" a WHERE a."id" IN (SELECT old_album_id FROM "album_regroup")
  AND NOT EXISTS (SELECT 1 FROM "tracks" t WHERE t."album_id" = a."id");
