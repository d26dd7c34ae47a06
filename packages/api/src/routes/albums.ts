import { OpenAPIHono, z } from "@hono/zod-openapi";
import { createAlbum, getAlbum, listAlbums } from "@jonquils/core/album/index";
import { listGenresBody } from "@jonquils/core/genre/index";
import type { AppEnv } from "../env";
import { requireActor } from "../middleware/auth";
import {
  AlbumSchema,
  CreateAlbumBody,
  defineRoute,
  GenreSchema,
  IdParam,
  json,
  jsonBody,
  PageQuery,
  pages,
  TrackSchema,
} from "../schemas";
import { sendJson } from "./json";

export function albumRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  const tags = ["albums"];

  app.openapi(
    defineRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List albums, newest release first",
      request: { query: PageQuery.extend({ artistId: z.uuid().optional() }) },
      responses: { 200: json(pages.albums) },
    }),
    async (c) => c.json(await listAlbums(c.get("ctx"), c.req.valid("query")), 200),
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/",
      tags,
      auth: true,
      summary: "Create an album (artists for themselves, admins for anyone)",
      request: { body: jsonBody(CreateAlbumBody) },
      responses: { 201: json(AlbumSchema, "Created") },
    }),
    async (c) => c.json(await createAlbum(c.get("ctx"), requireActor(c), c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "An album with its tracks",
      request: { params: IdParam },
      responses: {
        200: json(AlbumSchema.extend({ tracks: z.array(TrackSchema) }).openapi("AlbumDetail")),
      },
    }),
    async (c) => c.json(await getAlbum(c.get("ctx"), c.req.valid("param").id), 200),
  );

  return app;
}

export function genreRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    defineRoute({
      method: "get",
      path: "/",
      tags: ["genres"],
      summary: "All genres",
      responses: { 200: json(z.object({ items: z.array(GenreSchema) })) },
    }),
    async (c) => sendJson(c, await listGenresBody(c.get("ctx"))),
  );
  return app;
}
