import { OpenAPIHono, z } from "@hono/zod-openapi";
import {
  getArtistAnalytics,
  getPlatformAnalytics,
  getTrackAnalytics,
  getUserAnalytics,
  recordListen,
  type Period,
} from "@jonquils/core/analytics/index";
import type { Actor, Ctx } from "@jonquils/core";
import type { AppEnv } from "../env";
import { requireActor } from "../middleware/auth";
import { defineRoute, IdParam, json, jsonBody, Uuid } from "../schemas";

const tags = ["analytics"];

/** A listen may be reported late (offline clients), but not from the future (1 minute of clock skew). */
const MAX_SKEW_MS = 60_000;
const MAX_AGE_MS = 365 * 86_400_000;

export const PLATFORMS = ["web", "ios", "android", "desktop", "other", "unknown"] as const;
export const DEVICE_TYPES = [
  "desktop",
  "mobile",
  "tablet",
  "tv",
  "speaker",
  "car",
  "other",
  "unknown",
] as const;

export const ListenBody = z
  .object({
    trackId: Uuid,
    playDurationMs: z
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .openapi({ description: "How long it played." }),
    completionPercentage: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .openapi({ description: "0–100; derived from the track's duration when absent." }),
    platform: z.enum(PLATFORMS).default("unknown"),
    deviceType: z.enum(DEVICE_TYPES).default("unknown"),
    playedAt: z.iso
      .datetime({ offset: true })
      .optional()
      .refine(
        (v) => v === undefined || Date.parse(v) <= Date.now() + MAX_SKEW_MS,
        "must not be in the future",
      )
      .refine(
        (v) => v === undefined || Date.parse(v) >= Date.now() - MAX_AGE_MS,
        "must be within the last year",
      )
      .openapi({ description: "When the play started (ISO 8601); default now." }),
  })
  .openapi("ListenRequest");

const ListenHeaders = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces")
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "A unique value per play (e.g. a UUID); retries with it are not counted twice.",
    }),
});

const ListenSchema = z
  .object({
    id: z.number().int(),
    trackId: z.uuid(),
    playedAt: z.string(),
    playDurationMs: z.number().int(),
    completionPercentage: z.number(),
    action: z.enum(["play", "complete", "skip"]),
  })
  .openapi("Listen");

const PeriodQuery = z.object({
  period: z.enum(["week", "month", "year", "all"]).default("month").openapi({
    description: "week = 7 days, month = 30 days, year = 365 days, or all time. Default month.",
  }),
});

const Count = z.number().int();
const Named = (idName: string, idType: z.ZodType) =>
  z.object({ [idName]: idType, name: z.string().nullable(), plays: Count, listeningTimeMs: Count });
const PerDay = z.array(z.object({ day: z.string(), plays: Count, uniqueListeners: Count }));
const Sources = {
  platforms: z.array(z.object({ name: z.string(), plays: Count })),
  devices: z.array(z.object({ name: z.string(), plays: Count })),
};

const UserAnalyticsSchema = z
  .object({
    userId: z.uuid(),
    period: z.string(),
    plays: Count,
    listeningTimeMs: Count,
    distinctTracks: Count,
    distinctArtists: Count,
    searches: Count,
    topTracks: z.array(
      z.object({
        trackId: z.uuid(),
        title: z.string().nullable(),
        plays: Count,
        listeningTimeMs: Count,
      }),
    ),
    topArtists: z.array(Named("artistId", z.uuid())),
    topGenres: z.array(Named("genreId", z.number().int())),
    activityByHour: z
      .array(z.object({ hour: Count, plays: Count }))
      .openapi({ description: "UTC hours 0–23." }),
    activityByWeekday: z
      .array(z.object({ weekday: Count, plays: Count }))
      .openapi({ description: "ISO weekdays, 1 = Monday." }),
    activity: z
      .array(z.object({ weekday: Count, hour: Count, plays: Count }))
      .openapi({ description: "Hour × weekday heatmap cells with plays (UTC; 1 = Monday)." }),
    listeningPerDay: z
      .array(z.object({ day: z.string(), listeningTimeMs: Count, plays: Count }))
      .openapi({ description: "Days with a play, oldest first (UTC)." }),
    streak: z.object({
      currentDays: Count,
      longestDays: Count,
      lastListenedOn: z.string().nullable(),
    }),
  })
  .openapi("UserAnalytics");

const TrackAnalyticsSchema = z
  .object({
    trackId: z.uuid(),
    title: z.string(),
    period: z.string(),
    plays: Count,
    uniqueListeners: Count,
    listeningTimeMs: Count,
    completionRate: z.number().openapi({ description: "Share of plays ≥ 90 % complete." }),
    skipRate: z.number().openapi({ description: "Share of plays < 30 % complete." }),
    averageCompletionPercentage: z.number(),
    playsPerDay: PerDay,
    ...Sources,
  })
  .openapi("TrackAnalytics");

const ArtistAnalyticsSchema = z
  .object({
    artistId: z.uuid(),
    name: z.string(),
    period: z.string(),
    plays: Count,
    uniqueListeners: Count,
    listeningTimeMs: Count,
    topTracks: z.array(
      z.object({
        trackId: z.uuid(),
        title: z.string().nullable(),
        plays: Count,
        uniqueListeners: Count,
        completionRate: z.number(),
        skipRate: z.number(),
      }),
    ),
    playsPerDay: PerDay,
    ...Sources,
  })
  .openapi("ArtistAnalytics");

const PlatformAnalyticsSchema = z
  .object({
    period: z.string(),
    activeUsers: z.object({ daily: Count, weekly: Count, monthly: Count }),
    registrations: z.object({ today: Count, week: Count, month: Count, period: Count }),
    plays: Count,
    searches: Count,
    apiRequests: Count,
    daily: z.array(
      z.object({
        day: z.string(),
        activeUsers: Count,
        plays: Count,
        searches: Count,
        apiRequests: Count,
      }),
    ),
    topZeroResultQueries: z.array(z.object({ query: z.string(), searches: Count })),
    routes: z.array(
      z.object({
        method: z.string(),
        route: z.string(),
        requests: Count,
        errorRate: z.number().openapi({ description: "Share of 5xx answers." }),
        clientErrorRate: z.number().openapi({ description: "Share of 4xx answers." }),
        p50Ms: z.number(),
        p95Ms: z.number(),
        p99Ms: z.number(),
      }),
    ),
  })
  .openapi("PlatformAnalytics");

const UNAVAILABLE = {
  503: {
    description: "The analytics store is unreachable",
    content: { "application/problem+json": { schema: z.object({ code: z.string() }) } },
  },
};

export function analyticsRoutes() {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(
    defineRoute({
      method: "post",
      path: "/listen",
      tags,
      auth: true,
      summary: "Record a play",
      description:
        "Writes the play to the listening history and its analytics event in one transaction: a 202 means the play is kept even if the server dies the next instant (delivered to analytics at least once, counted exactly once; visible in the analytics endpoints within about a second). Send an `Idempotency-Key` (e.g. a UUID per play) to make retries safe: a repeat gets the first answer and is not counted again; the same key with another body is 422. A play counts towards popularity only when heard ≥ 30 s, at most 3 times per listener, track and day.",
      request: { body: jsonBody(ListenBody), headers: ListenHeaders },
      responses: { 202: json(ListenSchema, "Recorded") },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const result = await recordListen(c.get("ctx"), requireActor(c), {
        trackId: body.trackId,
        playDurationMs: body.playDurationMs,
        completionPercentage: body.completionPercentage,
        platform: body.platform,
        deviceType: body.deviceType,
        playedAt: body.playedAt ? new Date(body.playedAt) : undefined,
        idempotencyKey: c.req.valid("header")["idempotency-key"],
      });
      return c.json(result, 202);
    },
  );

  /** GET /{user|track|artist}/{id}?period=…: who may see it is decided by `load`. */
  const byIdAndPeriod = <S extends z.ZodType>(
    path: "/user/{id}" | "/track/{id}" | "/artist/{id}",
    summary: string,
    schema: S,
    load: (ctx: Ctx, actor: Actor, id: string, period: Period) => Promise<z.infer<S>>,
  ) =>
    app.openapi(
      defineRoute({
        method: "get",
        path,
        tags,
        auth: true,
        summary,
        request: { params: IdParam, query: PeriodQuery },
        responses: { 200: json(schema), ...UNAVAILABLE },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const { period } = c.req.valid("query");
        return c.json(await load(c.get("ctx"), requireActor(c), id, period), 200);
      },
    );
  byIdAndPeriod(
    "/user/{id}",
    "A user's listening analytics (self or admin)",
    UserAnalyticsSchema,
    getUserAnalytics,
  );
  byIdAndPeriod(
    "/track/{id}",
    "A track's analytics (its artist or an admin)",
    TrackAnalyticsSchema,
    getTrackAnalytics,
  );
  byIdAndPeriod(
    "/artist/{id}",
    "An artist's analytics (the artist or an admin)",
    ArtistAnalyticsSchema,
    getArtistAnalytics,
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/platform",
      tags,
      auth: true,
      summary: "Platform analytics (admin)",
      description:
        "Active users, registrations, plays, searches, zero-result queries and per-route latency percentiles and error rates.",
      request: { query: PeriodQuery },
      responses: { 200: json(PlatformAnalyticsSchema), ...UNAVAILABLE },
    }),
    async (c) =>
      c.json(
        await getPlatformAnalytics(c.get("ctx"), requireActor(c), c.req.valid("query").period),
        200,
      ),
  );

  return app;
}
