import { serve, type ServerType } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createApp } from "@jonquils/api";
import { assembleRuntime, createLogger, type Runtime } from "@jonquils/core";
import { disabledAnalytics } from "@jonquils/core/analytics/wiring";
import { openTestDatabase, testConfig, type DbKind } from "@jonquils/local/testing/harness";
import { createDiskObjectStore, deriveStorageSecret } from "@jonquils/local/storage/disk-store";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The real app on a loopback port (18400–18499), as a player app reaches it: the disk object
 * store signs URLs for this very port, so stream redirects are followed to real bytes.
 */
export async function startSubsonicServer(
  wiring: { db: DbKind; redis: boolean },
  overrides: Record<string, string> = {},
) {
  const dataDir = await mkdtemp(join(tmpdir(), "jq-subsonic-"));
  const catalog = await openTestDatabase(wiring.db);
  const log = createLogger("silent");
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 18400 + Math.floor(Math.random() * 100);
    const base = `http://127.0.0.1:${port}`;
    const config = testConfig({ DATA_DIR: dataDir, PUBLIC_URL: base, ...overrides }, wiring.redis);
    const store = createDiskObjectStore({
      root: join(dataDir, "objects"),
      publicUrl: base,
      secret: deriveStorageSecret(config.JWT_SECRET!),
      log,
    });
    const runtime: Runtime = assembleRuntime(
      config,
      catalog,
      config.JWT_SECRET!,
      log,
      store,
      disabledAnalytics(log),
    );
    const app = createApp({
      ...runtime,
      storageRoutes: store.routes,
      clientIp: (c) => c.req.header("x-test-ip") ?? getConnInfo(c).remote.address,
    });
    try {
      const server = await new Promise<ServerType>((resolve, reject) => {
        const s = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => resolve(s));
        s.once("error", reject);
      });
      return {
        base,
        runtime,
        store,
        async close() {
          await new Promise<void>((r) => server.close(() => r()));
          await runtime.close();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
