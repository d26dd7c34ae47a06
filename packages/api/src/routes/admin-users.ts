import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { ApiDeps, AppEnv } from "../env";
import { requireAdmin } from "../middleware/auth";
import { defineRoute, IdParam, json, jsonBody, UserSchema } from "../schemas";
import { forgetSubsonicSignIns } from "../subsonic/auth";

const tags = ["admin"];

const UserStatusBody = z
  .object({ isActive: z.boolean().openapi({ description: "false disables the account." }) })
  .strict()
  .openapi("UserStatus");

/**
 * Disabling or deleting an account: its refresh tokens stop at once, and its live access tokens
 * are refused (401) within 5 seconds in every process; player apps' remembered Subsonic sign-ins
 * end at once (error 50).
 */
export function adminUserRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(
    defineRoute({
      method: "patch",
      path: "/{id}",
      tags,
      auth: true,
      summary: "Disable or re-enable an account (admin)",
      request: { params: IdParam, body: jsonBody(UserStatusBody) },
      responses: { 200: json(UserSchema) },
    }),
    async (c) => {
      const actor = requireAdmin(c);
      const { id } = c.req.valid("param");
      const { isActive } = c.req.valid("json");
      const view = await deps.auth.setUserActive(actor, id, isActive, c.get("ctx").meta);
      await forgetSubsonicSignIns(c.get("ctx"), { username: view.username, userId: id });
      return c.json(view, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: "delete",
      path: "/{id}",
      tags,
      auth: true,
      summary: "Delete an account and what belongs to it (admin)",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" } },
    }),
    async (c) => {
      const actor = requireAdmin(c);
      const { id } = c.req.valid("param");
      await deps.auth.deleteUser(actor, id, c.get("ctx").meta);
      await forgetSubsonicSignIns(c.get("ctx"), { userId: id });
      return c.body(null, 204);
    },
  );

  return app;
}
