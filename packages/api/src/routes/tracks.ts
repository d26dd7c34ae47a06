import { OpenAPIHono, z } from "@hono/zod-openapi";
import {
  createTrack,
  deleteTrack,
  getTrackBody,
  listTracksBody,
  popularTracksBody,
  POPULAR_MAX,
  updateTrack,
} from "@jonquils/core/track/index";
import { coverUrl } from "@jonquils/core/track/cover";
import type { AppEnv } from "../env";
import { requireActor } from "../middleware/auth";
import {
  CreateTrackBody,
  defineRoute,
  IdParam,
  json,
  jsonBody,
  pages,
  TrackListQuery,
  TrackSchema,
  UpdateTrackBody,
} from "../schemas";
import { sendJson } from "./json";

const tags = ["tracks"];

export function trackRoutes() {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(
    defineRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List tracks",
      description: "Filter by genre, artist, album or year; sort by popularity, title or newest.",
      request: { query: TrackListQuery },
      responses: { 200: json(pages.tracks) },
    }),
    async (c) => {
      const { genre, ...q } = c.req.valid("query");
      return sendJson(c, await listTracksBody(c.get("ctx"), { ...q, genreSlug: genre }));
    },
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/popular",
      tags,
      summary: "The most popular tracks",
      request: {
        query: z.object({ limit: z.coerce.number().int().min(1).max(POPULAR_MAX).default(20) }),
      },
      responses: { 200: json(z.object({ items: z.array(TrackSchema) })) },
    }),
    async (c) => sendJson(c, await popularTracksBody(c.get("ctx"), c.req.valid("query").limit)),
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/",
      tags,
      auth: true,
      summary: "Create a track (artists for themselves, admins for anyone)",
      request: { body: jsonBody(CreateTrackBody) },
      responses: { 201: json(TrackSchema, "Created") },
    }),
    async (c) => c.json(await createTrack(c.get("ctx"), requireActor(c), c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "Get a track",
      request: { params: IdParam },
      responses: { 200: json(TrackSchema) },
    }),
    async (c) => sendJson(c, await getTrackBody(c.get("ctx"), c.req.valid("param").id)),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}/cover",
      tags,
      summary: "A track's cover thumbnail (redirect to a signed image URL)",
      request: {
        params: IdParam,
        query: z.object({ size: z.enum(["64", "300"]).default("300") }),
      },
      responses: { 302: { description: "Redirect to the WebP thumbnail" } },
    }),
    async (c) => {
      const url = await coverUrl(
        c.get("ctx"),
        c.req.valid("param").id,
        c.req.valid("query").size === "64" ? 64 : 300,
      );
      c.header("Cache-Control", "private, max-age=600");
      return c.redirect(url, 302);
    },
  );

  for (const method of ["put", "patch"] as const) {
    app.openapi(
      defineRoute({
        method,
        path: "/{id}",
        tags,
        auth: true,
        summary: "Change a track's metadata (its artist or an admin)",
        request: { params: IdParam, body: jsonBody(UpdateTrackBody) },
        responses: { 200: json(TrackSchema) },
      }),
      async (c) =>
        c.json(
          await updateTrack(
            c.get("ctx"),
            requireActor(c),
            c.req.valid("param").id,
            c.req.valid("json"),
          ),
          200,
        ),
    );
  }

  app.openapi(
    defineRoute({
      method: "delete",
      path: "/{id}",
      tags,
      auth: true,
      summary: "Delete a track (its artist or an admin)",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" } },
    }),
    async (c) => {
      await deleteTrack(c.get("ctx"), requireActor(c), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  return app;
}
