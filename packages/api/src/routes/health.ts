import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { AppError } from "@jonquils/core";
import type { ApiDeps, AppEnv } from "../env";

const Component = z.object({
  status: z.enum(["up", "down"]),
  adapter: z.string(),
  latencyMs: z.number(),
  error: z.string().optional(),
});
const Health = z
  .object({
    status: z.enum(["ok", "degraded", "unavailable"]).openapi({
      description:
        "ok: all up; degraded: a component the API can serve without (search, analytics) is down (200); unavailable: a critical one is (503).",
    }),
    demo: z.enum(["loading", "ready", "failed"]).optional().openapi({
      description:
        "Only on a local server seeding its demo catalog: `loading` while the demo accounts, tracks and search index are still being made (the API already answers), then `ready` (or `failed`, see the log).",
    }),
    components: z.record(z.string(), Component).optional().openapi({
      description: "Each adapter's state: only for an admin's bearer token.",
    }),
  })
  .openapi("Health");

const TIMEOUT_MS = 2000;

async function probe(
  adapter: string,
  ping: () => Promise<void>,
): Promise<z.infer<typeof Component>> {
  const started = performance.now();
  try {
    await Promise.race([
      ping(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref(),
      ),
    ]);
    return { status: "up", adapter, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: "down",
      adapter,
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Whether the request carries an admin's access token (a bad or missing one: just no details). */
async function isAdmin(deps: ApiDeps, header: string | undefined): Promise<boolean> {
  const token = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? "")?.[1];
  if (!token) return false;
  try {
    return (await deps.auth.verifyAccessToken(token)).role === "admin";
  } catch (error) {
    // With the database down the account's state cannot be read: a valid admin signature
    // still gets the details (they say what is down).
    if (error instanceof AppError && error.status < 500) return false;
    const actor = await deps.auth.verifyTokenSignature(token).catch(() => null);
    return actor?.role === "admin";
  }
}

/**
 * Liveness: 200 when all are up (or only non-critical ones are down: degraded), 503 otherwise.
 * The public answer is the status alone; which component is down, with which adapter and
 * error, is for admins (bearer token) — it tells an attacker what to aim at.
 */
export function healthRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["health"],
      summary: "Health of the API and each adapter",
      responses: {
        200: {
          description: "All up, or only non-critical components down (degraded)",
          content: { "application/json": { schema: Health } },
        },
        503: {
          description: "Something is down",
          content: { "application/json": { schema: Health } },
        },
      },
    }),
    async (c) => {
      const [states, admin] = await Promise.all([
        Promise.all(deps.probes.map((p) => probe(p.adapter, () => p.ping()))),
        isAdmin(deps, c.req.header("authorization")),
      ]);
      const details = {
        ...deps.startup?.(),
        ...(admin
          ? { components: Object.fromEntries(deps.probes.map((p, i) => [p.name, states[i]!])) }
          : {}),
      };
      const down = deps.probes.filter((p, i) => states[i]!.status === "down");
      c.header("Cache-Control", "no-store");
      c.header("Vary", "Authorization");
      if (down.length === 0) return c.json({ status: "ok" as const, ...details }, 200);
      return down.some((p) => p.critical !== false)
        ? c.json({ status: "unavailable" as const, ...details }, 503)
        : c.json({ status: "degraded" as const, ...details }, 200);
    },
  );
  return app;
}
