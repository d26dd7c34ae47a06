import { Hono } from "hono";
import type { ApiDeps, AppEnv } from "../env";

/** The (Open)Subsonic API at /rest (filled in by the next commit). */
export function subsonicRoutes(_deps: ApiDeps) {
  return new Hono<AppEnv>();
}
