import { OpenAPIHono, z } from "@hono/zod-openapi";
import {
  addPlaylistTrack,
  createPlaylist,
  deletePlaylist,
  getPlaylist,
  listMyPlaylists,
  removePlaylistTrack,
  reorderPlaylist,
  updatePlaylist,
} from "@jonquils/core/playlist/index";
import type { AppEnv } from "../env";
import { requireActor } from "../middleware/auth";
import {
  AddPlaylistTrackBody,
  CreatePlaylistBody,
  defineRoute,
  IdParam,
  json,
  jsonBody,
  PageQuery,
  pages,
  PlaylistDetailSchema,
  PlaylistSchema,
  ReorderPlaylistBody,
  UpdatePlaylistBody,
  Uuid,
} from "../schemas";

const tags = ["playlists"];

export function playlistRoutes() {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(
    defineRoute({
      method: "get",
      path: "/",
      tags,
      auth: true,
      summary: "My playlists",
      request: { query: PageQuery },
      responses: { 200: json(pages.playlists) },
    }),
    async (c) =>
      c.json(await listMyPlaylists(c.get("ctx"), requireActor(c), c.req.valid("query")), 200),
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/",
      tags,
      auth: true,
      summary: "Create a playlist",
      request: { body: jsonBody(CreatePlaylistBody) },
      responses: { 201: json(PlaylistSchema, "Created") },
    }),
    async (c) =>
      c.json(await createPlaylist(c.get("ctx"), requireActor(c), c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "A playlist with its tracks",
      description:
        "Public playlists are readable by anyone; private ones only by their owner (others get 404).",
      request: { params: IdParam },
      responses: { 200: json(PlaylistDetailSchema) },
    }),
    async (c) =>
      c.json(await getPlaylist(c.get("ctx"), c.get("actor"), c.req.valid("param").id), 200),
  );

  for (const method of ["put", "patch"] as const) {
    app.openapi(
      defineRoute({
        method,
        path: "/{id}",
        tags,
        auth: true,
        summary: "Rename, describe, or make public/private",
        request: { params: IdParam, body: jsonBody(UpdatePlaylistBody) },
        responses: { 200: json(PlaylistSchema) },
      }),
      async (c) =>
        c.json(
          await updatePlaylist(
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
      summary: "Delete a playlist",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" } },
    }),
    async (c) => {
      await deletePlaylist(c.get("ctx"), requireActor(c), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/{id}/tracks",
      tags,
      auth: true,
      summary: "Add a track (at the end, or at a 0-based position)",
      request: { params: IdParam, body: jsonBody(AddPlaylistTrackBody) },
      responses: { 200: json(PlaylistDetailSchema) },
    }),
    async (c) => {
      const { trackId, position } = c.req.valid("json");
      return c.json(
        await addPlaylistTrack(
          c.get("ctx"),
          requireActor(c),
          c.req.valid("param").id,
          trackId,
          position,
        ),
        200,
      );
    },
  );

  app.openapi(
    defineRoute({
      method: "put",
      path: "/{id}/tracks",
      tags,
      auth: true,
      summary: "Reorder: send every track id in the new order",
      request: { params: IdParam, body: jsonBody(ReorderPlaylistBody) },
      responses: { 200: json(PlaylistDetailSchema) },
    }),
    async (c) =>
      c.json(
        await reorderPlaylist(
          c.get("ctx"),
          requireActor(c),
          c.req.valid("param").id,
          c.req.valid("json").trackIds,
        ),
        200,
      ),
  );

  app.openapi(
    defineRoute({
      method: "delete",
      path: "/{id}/tracks/{trackId}",
      tags,
      auth: true,
      summary: "Remove a track",
      request: {
        params: z.object({
          id: Uuid.openapi({ param: { name: "id", in: "path" } }),
          trackId: Uuid.openapi({ param: { name: "trackId", in: "path" } }),
        }),
      },
      responses: { 200: json(PlaylistDetailSchema) },
    }),
    async (c) => {
      const { id, trackId } = c.req.valid("param");
      return c.json(await removePlaylistTrack(c.get("ctx"), requireActor(c), id, trackId), 200);
    },
  );

  return app;
}
