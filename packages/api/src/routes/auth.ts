import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiDeps, AppEnv } from "../env";
import { requireActor } from "../middleware/auth";
import {
  defineRoute,
  json,
  jsonBody,
  LoginBody,
  RefreshBody,
  RegisterBody,
  SessionSchema,
  UserSchema,
} from "../schemas";

const tags = ["auth"];

export function authRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(
    defineRoute({
      method: "post",
      path: "/register",
      tags,
      summary: "Create an account and sign in",
      request: { body: jsonBody(RegisterBody) },
      responses: { 201: json(SessionSchema, "Signed up") },
    }),
    async (c) => c.json(await deps.auth.register(c.req.valid("json"), c.get("ctx").meta), 201),
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/login",
      tags,
      summary: "Sign in with username or email",
      request: { body: jsonBody(LoginBody) },
      responses: { 200: json(SessionSchema) },
    }),
    async (c) => {
      const { login, password } = c.req.valid("json");
      return c.json(await deps.auth.login(login, password, c.get("ctx").meta), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/refresh",
      tags,
      summary: "Rotate a refresh token for a new session",
      description:
        "Each refresh token works once. Presenting a used one revokes every token of that sign-in.",
      request: { body: jsonBody(RefreshBody) },
      responses: { 200: json(SessionSchema) },
    }),
    async (c) =>
      c.json(await deps.auth.refresh(c.req.valid("json").refreshToken, c.get("ctx").meta), 200),
  );

  app.openapi(
    defineRoute({
      method: "post",
      path: "/logout",
      tags,
      summary: "End the sign-in a refresh token belongs to",
      request: { body: jsonBody(RefreshBody) },
      responses: { 204: { description: "Signed out" } },
    }),
    async (c) => {
      await deps.auth.logout(c.req.valid("json").refreshToken, c.get("ctx").meta);
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: "get",
      path: "/me",
      tags,
      auth: true,
      summary: "The signed-in user",
      responses: { 200: json(UserSchema) },
    }),
    async (c) => c.json(await deps.auth.me(requireActor(c)), 200),
  );

  return app;
}
