import { and, desc, eq, isNull } from "drizzle-orm";
import { createHash, randomBytes } from "node:crypto";
import { createLru } from "../util/lru";
import { recordAudit } from "../audit/audit";
import type { Actor, Ctx } from "../context";
import { AppError, CommonErrors } from "../errors";
import { users } from "../user/user.sql";
import type { UserRole } from "../user/user.sql";
import { apiKeys } from "./api-key.sql";

export const MAX_API_KEYS = 20;
const PREFIX = "jqk_";

export interface ApiKeyView {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreatedApiKey extends ApiKeyView {
  /** Shown once: only its SHA-256 digest is kept. */
  apiKey: string;
}

export const digestApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

const toView = (r: typeof apiKeys.$inferSelect): ApiKeyView => ({
  id: r.id,
  name: r.name,
  hint: r.hint,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
});

export async function createApiKey(ctx: Ctx, actor: Actor, name: string): Promise<CreatedApiKey> {
  const active = await ctx.db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, actor.userId), isNull(apiKeys.revokedAt)));
  if (active.length >= MAX_API_KEYS)
    throw CommonErrors.conflict(
      "too_many_api_keys",
      `At most ${MAX_API_KEYS} API keys; revoke one first.`,
    );
  const apiKey = PREFIX + randomBytes(32).toString("base64url");
  const row = await ctx.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(apiKeys)
      .values({
        userId: actor.userId,
        name: name.trim(),
        digest: digestApiKey(apiKey),
        hint: apiKey.slice(0, 10),
      })
      .returning();
    if (!inserted) throw new Error("insert returned no row");
    await recordAudit(tx, ctx.meta, actor, {
      action: "api_key.create",
      entityType: "api_key",
      entityId: inserted.id,
    });
    return inserted;
  });
  return { ...toView(row), apiKey };
}

export async function listApiKeys(ctx: Pick<Ctx, "db">, actor: Actor): Promise<ApiKeyView[]> {
  const rows = await ctx.db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, actor.userId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(toView);
}

/** Revokes the key; returns its digest (so cached sign-ins with it can be dropped). */
export async function revokeApiKey(
  ctx: Ctx,
  actor: Actor,
  id: string,
): Promise<{ digest: string }> {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, actor.userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, digest: apiKeys.digest });
    if (!row) throw new AppError("api_key_not_found", 404, `No API key with id ${id}.`);
    await recordAudit(tx, ctx.meta, actor, {
      action: "api_key.revoke",
      entityType: "api_key",
      entityId: id,
    });
    return { digest: row.digest };
  });
}

export interface ApiKeyOwner {
  keyId: string;
  userId: string;
  username: string;
  role: UserRole;
  isActive: boolean;
}

/** The live key's owner, or null for an unknown or revoked key. */
export async function findApiKeyOwner(
  ctx: Pick<Ctx, "db" | "log">,
  apiKey: string,
): Promise<ApiKeyOwner | null> {
  if (!apiKey.startsWith(PREFIX) || apiKey.length > 200) return null;
  const [row] = await ctx.db
    .select({
      keyId: apiKeys.id,
      userId: users.id,
      username: users.username,
      role: users.role,
      isActive: users.isActive,
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.digest, digestApiKey(apiKey)), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) return null;
  await touch(ctx, row.keyId);
  return row;
}

const lastTouched = createLru<string, number>(10_000);
async function touch(ctx: Pick<Ctx, "db" | "log">, id: string) {
  const now = Date.now();
  if ((lastTouched.get(id) ?? 0) > now - 60_000) return;
  lastTouched.set(id, now);
  try {
    await ctx.db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(now) })
      .where(eq(apiKeys.id, id));
  } catch (error) {
    ctx.log.warn({ err: error, id }, "could not record API key use");
  }
}
