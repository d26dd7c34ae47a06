import { z } from "@hono/zod-openapi";
import { SMART_SORTS, SmartRulesSchema } from "@jonquils/core/smart-playlist/index";
import { EXPORT_FORMATS } from "@jonquils/core/playlist/export";
import { MAX_QUEUE_TRACKS } from "@jonquils/core/play-queue/index";
import { TrackSchema } from "../schemas";

/** Schemas of the library routes (likes, ratings, queue, smart playlists, credentials, export). */

export const LikeSchema = z
  .object({ liked: z.literal(true), likedAt: z.string().openapi({ format: "date-time" }) })
  .openapi("Like");

export const LikedTrackPage = z
  .object({
    items: z.array(
      z.object({ likedAt: z.string().openapi({ format: "date-time" }), track: TrackSchema }),
    ),
    limit: z.number().int(),
    offset: z.number().int(),
    nextOffset: z.number().int().nullable(),
  })
  .openapi("LikedTrackPage");

export const RatingBody = z
  .object({
    rating: z
      .number()
      .int()
      .min(1)
      .max(5)
      .nullable()
      .openapi({ description: "1–5; null removes the rating." }),
  })
  .strict()
  .openapi("RatingRequest");

export const RatingSchema = z
  .object({ trackId: z.uuid(), rating: z.number().int().min(1).max(5).nullable() })
  .openapi("Rating");

export const AlbumRatingSchema = z
  .object({ albumId: z.uuid(), rating: z.number().int().min(1).max(5).nullable() })
  .openapi("AlbumRating");

export const PlayQueueSchema = z
  .object({
    trackIds: z.array(z.uuid()),
    currentIndex: z.number().int().nullable(),
    positionMs: z.number().int(),
    changedBy: z
      .string()
      .openapi({ description: "The client that saved it, e.g. `web` or a Subsonic app name." }),
    updatedAt: z.string().openapi({ format: "date-time" }),
    tracks: z.array(TrackSchema).openapi({ description: "The queued tracks, in order." }),
  })
  .openapi("PlayQueue");

export const SavePlayQueueBody = z
  .object({
    trackIds: z.array(z.uuid()).max(MAX_QUEUE_TRACKS),
    currentIndex: z.number().int().min(0).nullable().optional(),
    positionMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 3600 * 1000)
      .optional(),
    changedBy: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "Default `web`." }),
  })
  .strict()
  .openapi("SavePlayQueueRequest");

const Rules = SmartRulesSchema.openapi("SmartPlaylistRules", {
  description:
    "Every rule given must hold. Ranges are `{min?, max?}`; `genres` are slugs (any of them); `plays`, `liked` and `rating` are the owner's.",
});

export const SmartPlaylistSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    isPublic: z.boolean(),
    owner: z.object({ id: z.uuid(), username: z.string() }),
    rules: Rules,
    sort: z.enum(SMART_SORTS),
    limit: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("SmartPlaylist");

const smartFields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).nullable().optional(),
  isPublic: z.boolean().optional(),
  rules: Rules,
  sort: z.enum(SMART_SORTS).optional().openapi({ description: "Default `popularity`." }),
  limit: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .openapi({ description: "Most tracks it holds (default 100)." }),
};

export const CreateSmartPlaylistBody = z
  .object(smartFields)
  .strict()
  .openapi("CreateSmartPlaylistRequest");

export const UpdateSmartPlaylistBody = z
  .object({ ...smartFields, title: smartFields.title.optional(), rules: Rules.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, "give at least one field to change")
  // The refine above, said in the schema (found by schemathesis: empty bodies were documented).
  .openapi("UpdateSmartPlaylistRequest", { minProperties: 1 });

export const SmartPlaylistPage = z
  .object({
    items: z.array(SmartPlaylistSchema),
    limit: z.number().int(),
    offset: z.number().int(),
    nextOffset: z.number().int().nullable(),
  })
  .openapi("SmartPlaylistPage");

export const SimilarTracksSchema = z
  .object({
    seed: z.uuid(),
    items: z.array(
      z.object({
        track: TrackSchema,
        similarity: z.number().min(0).max(1).openapi({ description: "0–1; 1 is the same song." }),
        sonic: z.number().min(0).max(1).openapi({ description: "The audio-feature part alone." }),
        coListeners: z
          .number()
          .int()
          .openapi({ description: "Listeners of the seed who also played this track." }),
      }),
    ),
  })
  .openapi("SimilarTracks");

const credentialFields = {
  id: z.uuid(),
  name: z.string(),
  hint: z.string().openapi({ description: "The first characters, to tell them apart." }),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
};

export const AppPasswordSchema = z.object(credentialFields).openapi("AppPassword");
export const CreatedAppPasswordSchema = z
  .object({
    ...credentialFields,
    password: z
      .string()
      .openapi({ description: "Shown once. Use it as the password in a player app." }),
  })
  .openapi("CreatedAppPassword");
export const ApiKeySchema = z.object(credentialFields).openapi("ApiKey");
export const CreatedApiKeySchema = z
  .object({
    ...credentialFields,
    apiKey: z.string().openapi({ description: "Shown once. The OpenSubsonic `apiKey` parameter." }),
  })
  .openapi("CreatedApiKey");

export const CredentialNameBody = z
  .object({ name: z.string().trim().min(1).max(100).openapi({ example: "Symfonium on my phone" }) })
  .strict()
  .openapi("CredentialRequest");

export const ExportBody = z
  .object({ format: z.enum(EXPORT_FORMATS).openapi({ description: "m3u8, xspf or json." }) })
  .strict()
  .openapi("PlaylistExportRequest");

export const PlaylistExportSchema = z
  .object({
    format: z.enum(EXPORT_FORMATS),
    key: z.string().openapi({ description: "Object key in the playlists bucket." }),
    url: z.string().openapi({ description: "Signed download link." }),
    expiresAt: z.string(),
    trackCount: z.number().int(),
  })
  .openapi("PlaylistExport");
