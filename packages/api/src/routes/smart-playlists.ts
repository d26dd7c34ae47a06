import { OpenAPIHono } from "@hono/zod-openapi";
import {
  createSmartPlaylist,
  deleteSmartPlaylist,
  evaluateSmartPlaylist,
  getSmartPlaylist,
  listSmartPlaylists,
  updateSmartPlaylist,
} from "@jonquils/core/smart-playlist/index";
import type { AppEnv } from "../env";
import { requireActor } from "../middleware/auth";
import { defineRoute, IdParam, json, jsonBody, PageQuery, pages } from "../schemas";
import {
  CreateSmartPlaylistBody,
  SmartPlaylistPage,
  SmartPlaylistSchema,
  UpdateSmartPlaylistBody,
} from "./library-schemas";

const tags = ["smart playlists"];

/** Smart playlists: rules stored, tracks evaluated live on every read. */
export function smartPlaylistRoutes() {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(
    defineRoute({
      method: "get",
      path: "/",
      tags,
      auth: true,
      summary: "My smart playlists",
      request: { query: PageQuery },
      responses: { 200: json(SmartPlaylistPage) },
    }),
    async (c) =>
      c.json(await listSmartPlaylists(c.get("ctx"), requireActor(c), c.req.valid("query")), 200),
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/",
      tags,
      auth: true,
      summary: "Create a smart playlist",
      request: { body: jsonBody(CreateSmartPlaylistBody) },
      responses: { 201: json(SmartPlaylistSchema, "Created") },
    }),
    async (c) =>
      c.json(await createSmartPlaylist(c.get("ctx"), requireActor(c), c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "A smart playlist (public ones for anyone, private ones for their owner)",
      request: { params: IdParam },
      responses: { 200: json(SmartPlaylistSchema) },
    }),
    async (c) =>
      c.json(await getSmartPlaylist(c.get("ctx"), c.get("actor"), c.req.valid("param").id), 200),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}/tracks",
      tags,
      summary: "The tracks that match its rules right now",
      request: { params: IdParam, query: PageQuery },
      responses: { 200: json(pages.tracks) },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const page = c.req.valid("query");
      const playlist = await getSmartPlaylist(ctx, c.get("actor"), c.req.valid("param").id);
      const rows = await evaluateSmartPlaylist(ctx, playlist, {
        limit: page.limit + 1,
        offset: page.offset,
      });
      const hasMore = rows.length > page.limit;
      return c.json(
        {
          items: rows.slice(0, page.limit),
          limit: page.limit,
          offset: page.offset,
          nextOffset: hasMore ? page.offset + page.limit : null,
        },
        200,
      );
    },
  );

  for (const method of ["put", "patch"] as const) {
    app.openapi(
      defineRoute({
        method,
        path: "/{id}",
        tags,
        auth: true,
        summary: "Change a smart playlist (its owner)",
        request: { params: IdParam, body: jsonBody(UpdateSmartPlaylistBody) },
        responses: { 200: json(SmartPlaylistSchema) },
      }),
      async (c) =>
        c.json(
          await updateSmartPlaylist(
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
      summary: "Delete a smart playlist (its owner)",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" } },
    }),
    async (c) => {
      await deleteSmartPlaylist(c.get("ctx"), requireActor(c), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  return app;
}
