import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
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
    components: z.record(z.string(), Component),
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

/** Liveness and the state of every adapter: 200 when all are up, 503 otherwise. */
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
      const states = await Promise.all(deps.probes.map((p) => probe(p.adapter, () => p.ping())));
      const components = Object.fromEntries(deps.probes.map((p, i) => [p.name, states[i]!]));
      const down = deps.probes.filter((p, i) => states[i]!.status === "down");
      c.header("Cache-Control", "no-store");
      if (down.length === 0) return c.json({ status: "ok" as const, components }, 200);
      return down.some((p) => p.critical !== false)
        ? c.json({ status: "unavailable" as const, components }, 503)
        : c.json({ status: "degraded" as const, components }, 200);
    },
  );
  return app;
}
