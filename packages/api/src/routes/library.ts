import { OpenAPIHono, z } from "@hono/zod-openapi";
import { like, listLikedTracks, unlike, type LikeKind } from "@jonquils/core/like/index";
import { getPlayQueue, savePlayQueue, type PlayQueue } from "@jonquils/core/play-queue/index";
import { albumRatingOf, rateAlbum, rateTrack, trackRatingOf } from "@jonquils/core/rating/index";
import { similarTracks } from "@jonquils/core/similar/index";
import { trackViewsInOrder } from "@jonquils/core/smart-playlist/index";
import type { Ctx } from "@jonquils/core";
import type { AppEnv } from "../env";
import { requireActor } from "../middleware/auth";
import { defineRoute, IdParam, json, jsonBody, PageQuery } from "../schemas";
import {
  AlbumRatingSchema,
  LikedTrackPage,
  LikeSchema,
  PlayQueueSchema,
  RatingBody,
  RatingSchema,
  SavePlayQueueBody,
  SimilarTracksSchema,
} from "./library-schemas";

/** Likes, ratings, the saved play queue and "more like this" (mounted at /api/v1). */
export function libraryRoutes() {
  const app = new OpenAPIHono<AppEnv>();

  const likeRoutes = (kind: LikeKind, base: "/tracks" | "/albums" | "/artists") => {
    const tags = [base.slice(1)];
    app.openapi(
      defineRoute({
        method: "put",
        path: `${base}/{id}/like`,
        tags,
        auth: true,
        summary: `Like (star) ${kind === "album" ? "an album" : `a ${kind}`}`,
        description: "Idempotent: liking again keeps the first time.",
        request: { params: IdParam },
        responses: { 200: json(LikeSchema) },
      }),
      async (c) => {
        const { likedAt } = await like(
          c.get("ctx"),
          requireActor(c),
          kind,
          c.req.valid("param").id,
        );
        return c.json({ liked: true as const, likedAt }, 200);
      },
    );
    app.openapi(
      defineRoute({
        method: "delete",
        path: `${base}/{id}/like`,
        tags,
        auth: true,
        summary: `Remove the like of ${kind === "album" ? "an album" : `a ${kind}`}`,
        request: { params: IdParam },
        responses: { 204: { description: "Not liked (any more)" } },
      }),
      async (c) => {
        await unlike(c.get("ctx"), requireActor(c), kind, c.req.valid("param").id);
        return c.body(null, 204);
      },
    );
  };
  likeRoutes("track", "/tracks");
  likeRoutes("album", "/albums");
  likeRoutes("artist", "/artists");

  app.openapi(
    defineRoute({
      method: "get",
      path: "/me/likes",
      tags: ["me"],
      auth: true,
      summary: "Liked songs, newest like first",
      request: { query: PageQuery },
      responses: { 200: json(LikedTrackPage) },
    }),
    async (c) =>
      c.json(await listLikedTracks(c.get("ctx"), requireActor(c), c.req.valid("query")), 200),
  );

  app.openapi(
    defineRoute({
      method: "put",
      path: "/tracks/{id}/rating",
      tags: ["tracks"],
      auth: true,
      summary: "Rate a track 1–5 (null removes the rating)",
      request: { params: IdParam, body: jsonBody(RatingBody) },
      responses: { 200: json(RatingSchema) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { rating } = await rateTrack(
        c.get("ctx"),
        requireActor(c),
        id,
        c.req.valid("json").rating,
      );
      return c.json({ trackId: id, rating }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/tracks/{id}/rating",
      tags: ["tracks"],
      auth: true,
      summary: "Your rating of a track (null: not rated)",
      description: "The same rating the player apps set with Subsonic `setRating`.",
      request: { params: IdParam },
      responses: { 200: json(RatingSchema) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const rating = await trackRatingOf(c.get("ctx").db, requireActor(c).userId, id);
      return c.json({ trackId: id, rating }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: "put",
      path: "/albums/{id}/rating",
      tags: ["albums"],
      auth: true,
      summary: "Rate an album 1–5 (null removes the rating)",
      description: "The same rating the player apps set with Subsonic `setRating` on an album.",
      request: { params: IdParam, body: jsonBody(RatingBody) },
      responses: { 200: json(AlbumRatingSchema) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { rating } = await rateAlbum(
        c.get("ctx"),
        requireActor(c),
        id,
        c.req.valid("json").rating,
      );
      return c.json({ albumId: id, rating }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/albums/{id}/rating",
      tags: ["albums"],
      auth: true,
      summary: "Your rating of an album (null: not rated)",
      request: { params: IdParam },
      responses: { 200: json(AlbumRatingSchema) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const rating = await albumRatingOf(c.get("ctx").db, requireActor(c).userId, id);
      return c.json({ albumId: id, rating }, 200);
    },
  );

  const queueBody = async (ctx: Ctx, queue: PlayQueue | null) =>
    queue
      ? { ...queue, tracks: await trackViewsInOrder(ctx.db, queue.trackIds) }
      : {
          trackIds: [],
          currentIndex: null,
          positionMs: 0,
          changedBy: "",
          updatedAt: new Date(0).toISOString(),
          tracks: [],
        };

  app.openapi(
    defineRoute({
      method: "get",
      path: "/me/play-queue",
      tags: ["me"],
      auth: true,
      summary: "The saved play queue (shared with the player apps)",
      description: "An empty queue (no tracks, `currentIndex` null) when none was saved.",
      responses: { 200: json(PlayQueueSchema) },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      return c.json(await queueBody(ctx, await getPlayQueue(ctx, requireActor(c))), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: "put",
      path: "/me/play-queue",
      tags: ["me"],
      auth: true,
      summary: "Save the play queue (replaces it; an empty list clears it)",
      request: { body: jsonBody(SavePlayQueueBody) },
      responses: { 200: json(PlayQueueSchema) },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const body = c.req.valid("json");
      const queue = await savePlayQueue(ctx, requireActor(c), {
        trackIds: body.trackIds,
        currentIndex: body.currentIndex,
        positionMs: body.positionMs,
        changedBy: body.changedBy ?? "web",
      });
      return c.json(await queueBody(ctx, queue), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/tracks/{id}/similar",
      tags: ["tracks"],
      summary: "More like this",
      description:
        "Tracks nearest in tempo, energy, valence, loudness and genre; blended with co-listening (people who played this also played …) once at least 3 people played it.",
      request: {
        params: IdParam,
        query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
      },
      responses: { 200: json(SimilarTracksSchema) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const items = await similarTracks(c.get("ctx"), id, c.req.valid("query").limit);
      return c.json({ seed: id, items }, 200);
    },
  );

  return app;
}
