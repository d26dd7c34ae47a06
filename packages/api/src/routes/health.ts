import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { ApiDeps, AppEnv } from "../env";

const Component = z.object({
  status: z.enum(["up", "down"]),
  adapter: z.string(),
  latencyMs: z.number(),
  error: z.string().optional(),
});
const Health = z
  .object({ status: z.enum(["ok", "unavailable"]), components: z.record(z.string(), Component) })
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
        200: { description: "All up", content: { "application/json": { schema: Health } } },
        503: {
          description: "Something is down",
          content: { "application/json": { schema: Health } },
        },
      },
    }),
    async (c) => {
      const states = await Promise.all(deps.probes.map((p) => probe(p.adapter, () => p.ping())));
      const components = Object.fromEntries(deps.probes.map((p, i) => [p.name, states[i]!]));
      const ok = Object.values(components).every((s) => s.status === "up");
      c.header("Cache-Control", "no-store");
      return ok
        ? c.json({ status: "ok" as const, components }, 200)
        : c.json({ status: "unavailable" as const, components }, 503);
    },
  );
  return app;
}
