import { and, desc, eq, isNull } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { createLru } from "../util/lru";
import { recordAudit } from "../audit/audit";
import type { Actor, Ctx } from "../context";
import type { Executor } from "../db/types";
import { AppError, CommonErrors } from "../errors";
import { appPasswords } from "./app-password.sql";
import { open, seal, type EnvelopeKey } from "./envelope";

export { envelopeKeyFromConfig, localEnvelopeKey, type EnvelopeKey } from "./envelope";

export const MAX_APP_PASSWORDS = 20;

export interface AppPasswordView {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreatedAppPassword extends AppPasswordView {
  /** Shown once: only its encrypted form is kept. */
  password: string;
}

const toView = (r: typeof appPasswords.$inferSelect): AppPasswordView => ({
  id: r.id,
  name: r.name,
  hint: r.hint,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
});

/** 24 characters from an alphabet without look-alikes (~140 bits), grouped for typing on a TV. */
function newSecret(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const bytes = randomBytes(24);
  let out = "";
  for (let i = 0; i < 24; i++) {
    out += alphabet[bytes[i]! % alphabet.length];
    if (i % 6 === 5 && i < 23) out += "-";
  }
  return out;
}

export async function createAppPassword(
  ctx: Ctx,
  envelope: EnvelopeKey,
  actor: Actor,
  name: string,
): Promise<CreatedAppPassword> {
  const active = await ctx.db
    .select({ id: appPasswords.id })
    .from(appPasswords)
    .where(and(eq(appPasswords.userId, actor.userId), isNull(appPasswords.revokedAt)));
  if (active.length >= MAX_APP_PASSWORDS)
    throw CommonErrors.conflict(
      "too_many_app_passwords",
      `At most ${MAX_APP_PASSWORDS} app passwords; revoke one first.`,
    );
  const password = newSecret();
  const dataKey = await envelope.generateDataKey();
  const ciphertext = seal(dataKey.plaintext, Buffer.from(password, "utf8"));
  dataKey.plaintext.fill(0);
  const row = await ctx.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(appPasswords)
      .values({
        userId: actor.userId,
        name: name.trim(),
        ciphertext,
        wrappedKey: dataKey.wrapped,
        keyId: dataKey.keyId,
        hint: password.slice(0, 4),
      })
      .returning();
    if (!inserted) throw new Error("insert returned no row");
    await recordAudit(tx, ctx.meta, actor, {
      action: "app_password.create",
      entityType: "app_password",
      entityId: inserted.id,
    });
    return inserted;
  });
  return { ...toView(row), password };
}

export async function listAppPasswords(
  ctx: Pick<Ctx, "db">,
  actor: Actor,
): Promise<AppPasswordView[]> {
  const rows = await ctx.db
    .select()
    .from(appPasswords)
    .where(and(eq(appPasswords.userId, actor.userId), isNull(appPasswords.revokedAt)))
    .orderBy(desc(appPasswords.createdAt));
  return rows.map(toView);
}

export async function revokeAppPassword(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(appPasswords)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(appPasswords.id, id),
          eq(appPasswords.userId, actor.userId),
          isNull(appPasswords.revokedAt),
        ),
      )
      .returning({ id: appPasswords.id });
    if (!row) throw new AppError("app_password_not_found", 404, `No app password with id ${id}.`);
    await recordAudit(tx, ctx.meta, actor, {
      action: "app_password.revoke",
      entityType: "app_password",
      entityId: id,
    });
  });
}

/** Decrypted secrets by row id (rows never change their secret): unwrap once per process. */
const secrets = createLru<string, string>(10_000, { ttl: 10 * 60_000 });

/**
 * The user's live app passwords, decrypted, for Subsonic sign-in: `p` compares them with the
 * given password, `t`+`s` with md5(secret + salt). Revoked rows are not read, so a revoke takes
 * effect on the next request.
 */
export async function activeAppPasswordSecrets(
  db: Executor,
  envelope: EnvelopeKey,
  userId: string,
): Promise<{ id: string; secret: string }[]> {
  const rows = await db
    .select({
      id: appPasswords.id,
      ciphertext: appPasswords.ciphertext,
      wrappedKey: appPasswords.wrappedKey,
      keyId: appPasswords.keyId,
    })
    .from(appPasswords)
    .where(and(eq(appPasswords.userId, userId), isNull(appPasswords.revokedAt)));
  return Promise.all(
    rows.map(async (r) => {
      let secret = secrets.get(r.id);
      if (secret === undefined) {
        const key = await envelope.unwrap(r.wrappedKey, r.keyId);
        secret = open(key, r.ciphertext).toString("utf8");
        key.fill(0);
        secrets.set(r.id, secret);
      }
      return { id: r.id, secret };
    }),
  );
}

/** Records a successful use (at most once a minute per password, never failing the request). */
const lastTouched = createLru<string, number>(10_000);
export async function touchAppPassword(ctx: Pick<Ctx, "db" | "log">, id: string): Promise<void> {
  const now = Date.now();
  if ((lastTouched.get(id) ?? 0) > now - 60_000) return;
  lastTouched.set(id, now);
  try {
    await ctx.db
      .update(appPasswords)
      .set({ lastUsedAt: new Date(now) })
      .where(eq(appPasswords.id, id));
  } catch (error) {
    ctx.log.warn({ err: error, id }, "could not record app password use");
  }
}
