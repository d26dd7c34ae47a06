import { OpenAPIHono, z } from "@hono/zod-openapi";
import { getStreamUrl } from "@jonquils/core/track/stream";
import {
  getUpload,
  importFromUrl,
  listMyUploads,
  requestUpload,
  UPLOAD_MAX_BYTES,
} from "@jonquils/core/upload/index";
import { requestReplacement } from "@jonquils/core/upload/replace";
import type { AppEnv, TrackUploadRouteOptions } from "../env";
import { requireActor } from "../middleware/auth";
import {
  defineRoute,
  IdParam,
  json,
  jsonBody,
  ProblemSchema,
  RequestUploadBody,
  StreamUrlSchema,
  UploadFromUrlBody,
  UploadListQuery,
  uploadPage,
  UploadSchema,
  UploadTicketSchema,
} from "../schemas";

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

const tooLarge = problemResponse(`Over the ${UPLOAD_MAX_BYTES} byte cap (too_large)`);
const notAudio = problemResponse("Not an audio file (not_audio)");

/** GET /api/v1/uploads and /api/v1/uploads/{id}: the caller's uploads and their state. */
export function uploadRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  const tags = ["uploads"];

  app.openapi(
    defineRoute({
      method: "get",
      path: "/",
      tags,
      auth: true,
      summary: "My uploads, newest first",
      request: { query: UploadListQuery },
      responses: { 200: json(uploadPage) },
    }),
    async (c) =>
      c.json(await listMyUploads(c.get("ctx"), requireActor(c), c.req.valid("query")), 200),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}",
      tags,
      auth: true,
      summary: "One upload: pending, processing, done (with its track) or failed (with the reason)",
      description: "Only its owner and admins see an upload; anyone else gets 404.",
      request: { params: IdParam },
      responses: { 200: json(UploadSchema) },
    }),
    async (c) =>
      c.json(await getUpload(c.get("ctx"), requireActor(c), c.req.valid("param").id), 200),
  );

  return app;
}

export type { TrackUploadRouteOptions };

/**
 * Mounted under /api/v1/tracks: POST /upload, POST /upload-from-url (the app matches them
 * with a trailing slash too), POST /{id}/audio (replace a track's audio) and GET /{id}/stream.
 */
export function trackUploadRoutes(options: TrackUploadRouteOptions = {}) {
  const app = new OpenAPIHono<AppEnv>();
  const tags = ["uploads"];

  app.openapi(
    defineRoute({
      method: "post",
      path: "/upload",
      tags,
      auth: true,
      summary: "Start a direct upload of one audio file (artists)",
      description:
        "Answers an upload id and a presigned POST: send `fields` and then the file (field `file`, last) " +
        "as multipart/form-data to `url` within 15 minutes. The key is under your prefix, the content type " +
        "is pinned and the size is capped at 200 MB. Follow the processing with GET /api/v1/uploads/{id}.",
      request: { body: jsonBody(RequestUploadBody) },
      responses: { 201: json(UploadTicketSchema, "Created"), 413: tooLarge, 415: notAudio },
    }),
    async (c) => {
      const ticket = await requestUpload(c.get("ctx"), requireActor(c), c.req.valid("json"));
      c.header("Location", `/api/v1/uploads/${ticket.upload.id}`);
      return c.json(ticket, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/upload-from-url",
      tags,
      auth: true,
      summary: "Import an audio file from a URL (artists)",
      description:
        "The server downloads the file itself: public http(s) hosts on ports 80/443 only (private, " +
        "loopback, link-local and metadata addresses are refused, redirects included), at most 200 MB " +
        "in 30 s, and the bytes must be audio. Answers the pending upload.",
      request: { body: jsonBody(UploadFromUrlBody) },
      responses: { 202: json(UploadSchema, "Accepted"), 413: tooLarge, 415: notAudio },
    }),
    async (c) => {
      const upload = await importFromUrl(
        c.get("ctx"),
        requireActor(c),
        c.req.valid("json").url,
        options.fetchOptions,
      );
      c.header("Location", `/api/v1/uploads/${upload.id}`);
      return c.json(upload, 202);
    },
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/{id}/audio",
      tags,
      auth: true,
      summary: "Replace a track's audio (its artist or an admin)",
      description:
        "Answers a replacement upload and a single-use presigned POST, used like POST /api/v1/tracks/upload. " +
        "The file goes through the same checks; once it is done the SAME track (id, likes, ratings, " +
        "playlists, listens) plays the new audio with its new duration, format and analysis, and keeps its " +
        "title, artist, album, lyrics and cover (tags that differ are listed as warnings on the upload). " +
        "If the file is refused the track keeps its audio and the upload says why. One replacement at a " +
        "time per track: 409 replace_in_progress while another can still arrive or is being processed.",
      request: { params: IdParam, body: jsonBody(RequestUploadBody) },
      responses: {
        201: json(UploadTicketSchema, "Created"),
        403: problemResponse(
          "Not your track (not_owner), or you are no longer an artist (artist_role_required)",
        ),
        404: problemResponse("No such track (track_not_found)"),
        409: problemResponse(
          "Another replacement of this track is under way (replace_in_progress)",
        ),
        413: tooLarge,
        415: notAudio,
      },
    }),
    async (c) => {
      const ticket = await requestReplacement(
        c.get("ctx"),
        requireActor(c),
        c.req.valid("param").id,
        c.req.valid("json"),
      );
      c.header("Location", `/api/v1/uploads/${ticket.upload.id}`);
      return c.json(ticket, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/{id}/stream",
      tags: ["tracks"],
      summary: "A short-lived URL serving the track's audio (HTTP Range supported)",
      description:
        "JSON `{url, expiresAt}` by default; with `?redirect=1` a 302 to that URL. 409 no_audio for a " +
        "track without a file.",
      request: {
        params: IdParam,
        query: z.object({
          redirect: z
            .enum(["0", "1", "true", "false"])
            .optional()
            .openapi({ description: "1: answer 302 to the URL instead of JSON." }),
        }),
      },
      responses: {
        200: json(StreamUrlSchema),
        302: { description: "Redirect to the audio URL (with ?redirect=1)" },
      },
    }),
    async (c) => {
      const stream = await getStreamUrl(c.get("ctx"), c.req.valid("param").id);
      c.header("Cache-Control", "no-store");
      const redirect = c.req.valid("query").redirect;
      if (redirect === "1" || redirect === "true") return c.redirect(stream.url, 302);
      return c.json(stream, 200);
    },
  );

  return app;
}
