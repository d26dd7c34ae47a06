import { OpenAPIHono } from "@hono/zod-openapi";
import { exportPlaylist } from "@jonquils/core/playlist/export";
import type { AppEnv } from "../env";
import { requireActor } from "../middleware/auth";
import { defineRoute, IdParam, json, jsonBody } from "../schemas";
import { ExportBody, PlaylistExportSchema } from "./library-schemas";

/** POST /playlists/{id}/export: M3U8, XSPF or JSON in the playlists bucket, with a signed link. */
export function playlistExportRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    defineRoute({
      method: "post",
      path: "/{id}/export",
      tags: ["playlists"],
      auth: true,
      summary: "Export a playlist (M3U8, XSPF or JSON) and get a signed download link",
      description:
        "Any playlist you may read. The file lands in the playlists bucket; the link is valid for an hour. Track locations point at this API's stream redirect.",
      request: { params: IdParam, body: jsonBody(ExportBody) },
      responses: { 201: json(PlaylistExportSchema, "Exported") },
    }),
    async (c) => {
      const origin = new URL(c.req.url).origin;
      return c.json(
        await exportPlaylist(
          c.get("ctx"),
          requireActor(c),
          c.req.valid("param").id,
          c.req.valid("json").format,
          origin,
        ),
        201,
      );
    },
  );
  return app;
}
