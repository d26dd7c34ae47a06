import { createRoute, z, type RouteConfig } from "@hono/zod-openapi";
import { ERROR_CODES } from "@jonquils/core/error-catalogue";
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";
import { requireActor } from "./middleware/auth";

/** Shared request and response schemas; the OpenAPI document is generated from them. */

/** Every code a problem+json body can carry: core's catalogue (`core/src/error-catalogue.ts`). */
export const ErrorCodeSchema = z.enum(ERROR_CODES).openapi("ErrorCode", {
  description:
    "Stable machine-readable error code: clients branch on it. Listed by domain in core's error catalogue; never renamed or reused.",
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: ErrorCodeSchema,
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

export const Uuid = z.uuid().openapi({ example: "5f0c7f6e-8a4b-4b43-9a0e-0d7a9d1b2c3d" });
export const IdParam = z.object({ id: Uuid.openapi({ param: { name: "id", in: "path" } }) });

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ description: "1–100, default 20" }),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      limit: z.number().int(),
      offset: z.number().int(),
      nextOffset: z.number().int().nullable().openapi({ description: "null on the last page" }),
    })
    .openapi(name);

const text = (max: number) => z.string().trim().min(1).max(max);
const nullableText = (max: number) => z.string().trim().max(max).nullable().optional();
const httpUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .openapi({ example: "https://example.com/cover.jpg" });

export const UserSchema = z
  .object({
    id: z.uuid(),
    username: z.string(),
    email: z.string(),
    role: z.enum(["user", "artist", "admin"]),
    isActive: z.boolean(),
    artistId: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .openapi("User");

export const SessionSchema = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int().openapi({ description: "Seconds until the access token expires." }),
    refreshToken: z.string(),
    refreshExpiresAt: z.string(),
    user: UserSchema,
  })
  .openapi("Session");

export const RegisterBody = z
  .object({
    username: z
      .string()
      .trim()
      .min(3)
      .max(32)
      .regex(/^[\p{L}\p{N}_.-]+$/u, "letters, digits, '_', '.' and '-' only"),
    email: z.email().max(254),
    password: z.string().min(8).max(128),
  })
  .openapi("RegisterRequest");

export const LoginBody = z
  .object({
    login: z.string().trim().min(1).max(254).openapi({ description: "Username or email." }),
    password: z.string().min(1).max(128),
  })
  .openapi("LoginRequest");

export const RefreshBody = z
  .object({ refreshToken: z.string().min(20).max(200) })
  .openapi("RefreshRequest");

export const ArtistSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    bio: z.string().nullable(),
    country: z.string().nullable(),
    imageUrl: z.string().nullable(),
    userId: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .openapi("Artist");

export const CreateArtistBody = z
  .object({
    name: text(200),
    bio: nullableText(5000),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, "an ISO 3166-1 alpha-2 code")
      .nullable()
      .optional(),
    imageUrl: httpUrl.nullable().optional(),
    unlinked: z
      .boolean()
      .optional()
      .openapi({ description: "Admins only: an artist not linked to any account." }),
  })
  .openapi("CreateArtistRequest");

const Ref = z.object({ id: z.uuid(), name: z.string() });

export const AlbumSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    releaseDate: z.string().nullable(),
    coverImageUrl: z.string().nullable(),
    artist: Ref,
    trackCount: z.number().int(),
    createdAt: z.string(),
  })
  .openapi("Album");

export const CreateAlbumBody = z
  .object({
    title: text(300),
    releaseDate: z.iso.date().nullable().optional(),
    coverImageUrl: httpUrl.nullable().optional(),
    artistId: z
      .uuid()
      .nullable()
      .optional()
      .openapi({ description: "Admins only; artists create for themselves." }),
  })
  .openapi("CreateAlbumRequest");

export const GenreSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    slug: z.string(),
    description: z.string().nullable(),
    trackCount: z.number().int().openapi({ description: "Catalog tracks in this genre." }),
  })
  .openapi("Genre");

export const TrackSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    artist: Ref,
    album: z.object({ id: z.uuid(), title: z.string() }).nullable(),
    genre: z.object({ id: z.number().int(), name: z.string(), slug: z.string() }).nullable(),
    genreSource: z.enum(["tag", "predicted", "manual"]).nullable(),
    genreConfidence: z.number().nullable().openapi({
      description:
        "Calibrated probability (0–1) of a predicted genre; null for tagged or manual genres.",
    }),
    genreModelVersion: z.string().nullable().openapi({
      description: "Version of the genre model behind a predicted genre or an abstention.",
    }),
    genreAbstainReason: z.string().nullable().openapi({
      description:
        "Why no genre was predicted (the model's best guess was below its confidence threshold); null otherwise.",
    }),
    trackNumber: z.number().int().nullable(),
    discNumber: z.number().int().nullable(),
    year: z.number().int().nullable(),
    durationMs: z.number().int(),
    popularity: z.number().int(),
    playCount: z.number().int(),
    tempo: z
      .number()
      .nullable()
      .openapi({ description: "Beats per minute; null when there is no steady beat." }),
    tempoConfidence: z.number().nullable().openapi({
      description: "Share (0–1) of the track's 8 s stretches that agree on the tempo.",
    }),
    tempoReason: z
      .string()
      .nullable()
      .openapi({ description: "Why there is no tempo, in words; null when there is one." }),
    energy: z.number().nullable(),
    valence: z.number().nullable(),
    loudness: z
      .number()
      .nullable()
      .openapi({ description: "Integrated loudness, LUFS (ITU-R BS.1770-4 / EBU R128)." }),
    truePeakDb: z.number().nullable().openapi({ description: "True peak, dBTP." }),
    trackGainDb: z.number().nullable().openapi({
      description:
        "ReplayGain 2.0 track gain: dB to apply to reach −18 LUFS (what “Normalize volume” applies).",
    }),
    fileFormat: z.string().nullable(),
    hasAudio: z.boolean(),
    coverUrl: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Track");

const unit = z.number().min(0).max(1);
const trackFields = {
  title: text(300),
  albumId: z.uuid().nullable().optional(),
  // genres.id is a Postgres integer: larger ids would reach the database and fail there.
  genreId: z.number().int().positive().max(2_147_483_647).nullable().optional(),
  trackNumber: z.number().int().min(1).max(999).nullable().optional(),
  discNumber: z.number().int().min(1).max(99).nullable().optional(),
  year: z.number().int().min(1800).max(2200).nullable().optional(),
  durationMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600 * 1000)
    .optional(),
  tempo: z.number().min(1).max(400).nullable().optional(),
  energy: unit.nullable().optional(),
  valence: unit.nullable().optional(),
  loudness: z.number().min(-100).max(10).nullable().optional(),
};

export const CreateTrackBody = z
  .object({
    ...trackFields,
    artistId: z
      .uuid()
      .nullable()
      .optional()
      .openapi({ description: "Admins only; artists create for themselves." }),
  })
  .openapi("CreateTrackRequest");

export const UpdateTrackBody = z
  .object({ ...trackFields, title: trackFields.title.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, "give at least one field to change")
  // The refine above, said in the schema (found by schemathesis: empty bodies were documented).
  .openapi("UpdateTrackRequest", { minProperties: 1 });

export const TrackListQuery = PageQuery.extend({
  sort: z.enum(["popularity", "title", "newest"]).default("popularity"),
  genre: z
    .string()
    .trim()
    .toLowerCase()
    .min(1)
    .max(64)
    .optional()
    .openapi({ description: "Genre slug, e.g. `rock`." }),
  genreId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  artistId: z.uuid().optional(),
  albumId: z.uuid().optional(),
  year: z.coerce.number().int().min(1800).max(2200).optional(),
});

export const PlaylistSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    isPublic: z.boolean(),
    owner: z.object({ id: z.uuid(), username: z.string() }),
    trackCount: z.number().int(),
    durationMs: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Playlist");

export const PlaylistDetailSchema = PlaylistSchema.extend({
  tracks: z.array(
    z.object({ position: z.number().int(), addedAt: z.string(), track: TrackSchema }),
  ),
}).openapi("PlaylistDetail");

export const CreatePlaylistBody = z
  .object({ title: text(200), description: nullableText(2000), isPublic: z.boolean().optional() })
  .openapi("CreatePlaylistRequest");

export const UpdatePlaylistBody = z
  .object({
    title: text(200).optional(),
    description: nullableText(2000),
    isPublic: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, "give at least one field to change")
  // The refine above, said in the schema (found by schemathesis: empty bodies were documented).
  .openapi("UpdatePlaylistRequest", { minProperties: 1 });

export const AddPlaylistTrackBody = z
  .object({ trackId: z.uuid(), position: z.number().int().min(0).optional() })
  .openapi("AddPlaylistTrackRequest");

export const ReorderPlaylistBody = z
  .object({ trackIds: z.array(z.uuid()).max(5000) })
  .openapi("ReorderPlaylistRequest");

export const pages = {
  tracks: pageOf(TrackSchema, "TrackPage"),
  artists: pageOf(ArtistSchema, "ArtistPage"),
  albums: pageOf(AlbumSchema, "AlbumPage"),
  playlists: pageOf(PlaylistSchema, "PlaylistPage"),
};

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

const errorResponses = {
  400: problemResponse("Malformed or invalid input"),
  401: problemResponse("Missing, invalid or expired access token"),
  403: problemResponse("Not allowed for this account"),
  404: problemResponse("Not found"),
  409: problemResponse("Conflicts with existing data"),
  422: problemResponse("Well-formed but not acceptable"),
  429: problemResponse("Rate limit exceeded"),
} as const;

export const json = <T extends z.ZodType>(schema: T, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** Refuses anonymous callers before the request is validated (401 before 400). */
const signedIn = createMiddleware<AppEnv>(async (c, next) => {
  requireActor(c);
  await next();
});

/**
 * createRoute with the standard problem responses; with `auth`, bearer auth in the document
 * and a sign-in check that runs before validation, so an anonymous caller learns it must sign
 * in (401) rather than what is wrong with a body it may not send anyway (400).
 */
export function defineRoute<R extends RouteConfig>(config: R & { auth?: boolean }) {
  const { auth, ...rest } = config;
  const own = rest.middleware as MiddlewareHandler | MiddlewareHandler[] | undefined;
  return createRoute({
    ...rest,
    ...(auth
      ? {
          security: [{ bearerAuth: [] }],
          middleware: [signedIn, ...(own ? (Array.isArray(own) ? own : [own]) : [])],
        }
      : {}),
    responses: { ...errorResponses, ...rest.responses },
  } as unknown as R);
}

export const UploadSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(["pending", "processing", "done", "failed"]),
    filename: z.string(),
    contentType: z.string().nullable(),
    sizeBytes: z.number().int().nullable(),
    key: z.string().openapi({ description: "Object key in the tracks bucket." }),
    source: z.enum(["direct", "url"]),
    trackId: z.uuid().nullable().openapi({ description: "The catalog track once status is done." }),
    replacesTrackId: z.uuid().nullable().openapi({
      description:
        "For a replacement (POST /api/v1/tracks/{id}/audio): the track whose audio it replaces; null for a new track.",
    }),
    failureReason: z
      .string()
      .nullable()
      .openapi({ description: "Why it failed, in words (status failed)." }),
    warnings: z.array(z.string()).openapi({
      description:
        "Every non-fatal finding, in words: a silent file, the title taken from the file name, filed under Unknown Artist, a tagged artist that differs from your profile, a file named as another format …",
      example: ["the file is silent"],
    }),
    detectedFormat: z.string().nullable().openapi({
      description: "The real format found in the bytes (mp3, ogg, wav …), once processed.",
    }),
    expiresAt: z
      .string()
      .nullable()
      .openapi({ description: "When the signed upload form stops working (direct uploads)." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Upload");

export const PresignedUploadSchema = z
  .object({
    method: z.literal("POST"),
    url: z.string(),
    fields: z.record(z.string(), z.string()),
    fileField: z.literal("file"),
    expiresAt: z.string(),
    maxBytes: z.number().int(),
  })
  .openapi("PresignedUpload", {
    description:
      "POST `fields`, then the file in the field `fileField` (last), as multipart/form-data to `url`.",
  });

export const UploadTicketSchema = z
  .object({ upload: UploadSchema, presigned: PresignedUploadSchema })
  .openapi("UploadTicket");

export const RequestUploadBody = z
  .object({
    filename: text(255),
    contentType: z
      .string()
      .trim()
      .toLowerCase()
      .max(100)
      .regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/, "a media type such as audio/mpeg")
      .openapi({ example: "audio/mpeg", description: "Must be audio/*." }),
    size: z
      .number()
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: "File size in bytes, if known: refused early when over the cap." }),
  })
  .openapi("RequestUploadRequest");

export const UploadFromUrlBody = z
  .object({
    url: z
      .string()
      .trim()
      .min(1)
      .max(2048)
      .openapi({ example: "https://example.com/song.mp3", description: "http or https." }),
  })
  .openapi("UploadFromUrlRequest");

export const UploadListQuery = PageQuery.extend({
  status: z.enum(["pending", "processing", "done", "failed"]).optional(),
});

export const StreamUrlSchema = z
  .object({ url: z.string(), expiresAt: z.string() })
  .openapi("StreamUrl");

export const uploadPage = pageOf(UploadSchema, "UploadPage");
