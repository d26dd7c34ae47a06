import { assembleRuntime, createLogger, type Actor, type Ctx, type Runtime } from "@jonquils/core";
import { disabledAnalytics } from "@jonquils/core/analytics/wiring";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDiskObjectStore, deriveStorageSecret } from "../storage/disk-store";
import { openTestDatabase, TEST_PUBLIC_URL, testConfig } from "./harness";

/**
 * Domain services without HTTP: the ports a wiring builds (PGlite from the migrated template,
 * memory cache and limits, a disk object store in a temporary folder, analytics off), a `Ctx`
 * as the API middleware makes one, and users signed up through the auth service.
 */
export interface DomainTestKit {
  readonly runtime: Runtime;
  readonly ctx: Ctx;
  /** A new user with this role (role set directly: the admin route is not under test here). */
  user(role?: Actor["role"]): Promise<Actor>;
  close(): Promise<void>;
}

let users = 0;

export async function openDomainTestKit(
  overrides: Record<string, string> = {},
): Promise<DomainTestKit> {
  const config = testConfig(overrides);
  const catalog = await openTestDatabase("pglite");
  const log = createLogger("silent");
  const dir = await mkdtemp(join(tmpdir(), "jonquils-domain-"));
  const objects = createDiskObjectStore({
    root: dir,
    publicUrl: TEST_PUBLIC_URL,
    secret: deriveStorageSecret(config.JWT_SECRET!),
    log,
  });
  const runtime = assembleRuntime(
    config,
    catalog,
    config.JWT_SECRET!,
    log,
    objects,
    disabledAnalytics(log),
  );
  const ctx: Ctx = { ...runtime.ports, meta: { ip: "203.0.113.9", requestId: "domain-test" } };
  return {
    runtime,
    ctx,
    async user(role = "user") {
      const n = ++users;
      const name = `dom${process.pid}u${n}`;
      const session = await runtime.auth.register(
        { username: name, email: `${name}@example.com`, password: "correct horse battery" },
        { ip: `198.51.100.${n % 250}` },
      );
      if (role !== session.user.role) {
        const { schema } = await import("@jonquils/core");
        const { eq } = await import("drizzle-orm");
        await runtime.ports.db
          .update(schema.users)
          .set({ role })
          .where(eq(schema.users.id, session.user.id));
      }
      return { userId: session.user.id, role };
    },
    async close() {
      // Closes the outbox, cache, search and the database (dropping nothing else).
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
