import { OpenAPIHono, z } from "@hono/zod-openapi";
import { listAlbums } from "@jonquils/core/album/index";
import { createArtist, getArtist, listArtists } from "@jonquils/core/artist/index";
import { listTracksBody } from "@jonquils/core/track/index";
import type { AppEnv } from "../env";
import { requireActor } from "../middleware/auth";
import {
  ArtistSchema,
  CreateArtistBody,
  defineRoute,
  IdParam,
  json,
  jsonBody,
  PageQuery,
  pages,
  TrackListQuery,
} from "../schemas";
import { sendJson } from "./json";

const tags = ["artists"];

export function artistRoutes() {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(
    defineRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List artists by name",
      request: { query: PageQuery.extend({ q: z.string().trim().min(1).max(200).optional() }) },
      responses: { 200: json(pages.artists) },
    }),
    async (c) => c.json(await listArtists(c.get("ctx"), c.req.valid("query")), 200),
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/",
      tags,
      auth: true,
      summary: "Become an artist (create your artist profile)",
      description:
        "Links a new artist profile to your account and gives it the artist role. Refresh your token to get the new role in it.",
      request: { body: jsonBody(CreateArtistBody) },
      responses: { 201: json(ArtistSchema, "Created") },
    }),
    async (c) =>
      c.json(await createArtist(c.get("ctx"), requireActor(c), c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "An artist's profile",
      request: { params: IdParam },
      responses: { 200: json(ArtistSchema) },
    }),
    async (c) => c.json(await getArtist(c.get("ctx"), c.req.valid("param").id), 200),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}/tracks",
      tags,
      summary: "An artist's tracks",
      request: { params: IdParam, query: TrackListQuery.omit({ artistId: true }) },
      responses: { 200: json(pages.tracks) },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const { id } = c.req.valid("param");
      await getArtist(ctx, id);
      const { genre, ...q } = c.req.valid("query");
      return sendJson(c, await listTracksBody(ctx, { ...q, genreSlug: genre, artistId: id }));
    },
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}/albums",
      tags,
      summary: "An artist's albums, newest first",
      request: { params: IdParam, query: PageQuery },
      responses: { 200: json(pages.albums) },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const { id } = c.req.valid("param");
      await getArtist(ctx, id);
      return c.json(await listAlbums(ctx, { ...c.req.valid("query"), artistId: id }), 200);
    },
  );

  return app;
}
