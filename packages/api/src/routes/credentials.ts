import { OpenAPIHono, z } from "@hono/zod-openapi";
import { createApiKey, listApiKeys, revokeApiKey } from "@jonquils/core/api-key/index";
import {
  createAppPassword,
  envelopeKeyFromConfig,
  listAppPasswords,
  revokeAppPassword,
} from "@jonquils/core/app-password/index";
import type { ApiDeps, AppEnv } from "../env";
import { requireActor } from "../middleware/auth";
import { forgetSubsonicSignIns } from "../subsonic/auth";
import { defineRoute, IdParam, json, jsonBody } from "../schemas";
import {
  ApiKeySchema,
  AppPasswordSchema,
  CreatedApiKeySchema,
  CreatedAppPasswordSchema,
  CredentialNameBody,
} from "./library-schemas";

const tags = ["auth"];

/** App passwords and API keys for player apps (mounted at /api/v1/auth). */
export function credentialRoutes(deps: Pick<ApiDeps, "config" | "auth">) {
  const app = new OpenAPIHono<AppEnv>();
  const envelope = envelopeKeyFromConfig(deps.config);

  app.openapi(
    defineRoute({
      method: "post",
      path: "/app-passwords",
      tags,
      auth: true,
      summary: "Create an app password for a player app (shown once)",
      description:
        "Works with the Subsonic API as `p`, `p=enc:` and token auth (`t` + `s`). Stored encrypted (envelope key), never shown again.",
      request: { body: jsonBody(CredentialNameBody) },
      responses: { 201: json(CreatedAppPasswordSchema, "Created") },
    }),
    async (c) =>
      c.json(
        await createAppPassword(c.get("ctx"), envelope, requireActor(c), c.req.valid("json").name),
        201,
      ),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/app-passwords",
      tags,
      auth: true,
      summary: "My app passwords (without the secrets)",
      responses: { 200: json(z.object({ items: z.array(AppPasswordSchema) })) },
    }),
    async (c) => c.json({ items: await listAppPasswords(c.get("ctx"), requireActor(c)) }, 200),
  );

  app.openapi(
    defineRoute({
      method: "delete",
      path: "/app-passwords/{id}",
      tags,
      auth: true,
      summary: "Revoke an app password",
      request: { params: IdParam },
      responses: { 204: { description: "Revoked" } },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const actor = requireActor(c);
      await revokeAppPassword(ctx, actor, c.req.valid("param").id);
      // Apps signed in with it are refused from the next request on (cached sign-ins dropped).
      await forgetSubsonicSignIns(ctx, { username: (await deps.auth.me(actor)).username });
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/api-keys",
      tags,
      auth: true,
      summary: "Create an API key (shown once)",
      description: "For the OpenSubsonic `apiKey` parameter. Only its SHA-256 digest is stored.",
      request: { body: jsonBody(CredentialNameBody) },
      responses: { 201: json(CreatedApiKeySchema, "Created") },
    }),
    async (c) =>
      c.json(await createApiKey(c.get("ctx"), requireActor(c), c.req.valid("json").name), 201),
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/api-keys",
      tags,
      auth: true,
      summary: "My API keys (without the keys)",
      responses: { 200: json(z.object({ items: z.array(ApiKeySchema) })) },
    }),
    async (c) => c.json({ items: await listApiKeys(c.get("ctx"), requireActor(c)) }, 200),
  );

  app.openapi(
    defineRoute({
      method: "delete",
      path: "/api-keys/{id}",
      tags,
      auth: true,
      summary: "Revoke an API key",
      request: { params: IdParam },
      responses: { 204: { description: "Revoked" } },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const { digest } = await revokeApiKey(ctx, requireActor(c), c.req.valid("param").id);
      await forgetSubsonicSignIns(ctx, { apiKeyDigest: digest });
      return c.body(null, 204);
    },
  );

  return app;
}
