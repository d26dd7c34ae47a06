import { and, eq, gt, isNull } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/audit";
import type { Actor, Ports, RequestMeta } from "../context";
import { toDomainError } from "../db/errors";
import { transaction } from "../db/transaction";
import { CommonErrors } from "../errors";
import type { Executor } from "../db/types";
import type { RateLimiter } from "../rate-limit/rate-limit";
import { findUserByLogin, getUserView, toUserView, type UserView } from "../user/user";
import { playlists } from "../playlist/playlist.sql";
import { users } from "../user/user.sql";
import { cleanText } from "../util/text";
import { refreshTokens } from "./auth.sql";
import { AuthErrors } from "./errors";
import { sharedPasswordHasher, type PasswordHasher } from "./hasher";
import { passwordFitsBcrypt } from "./password";
import { assertPasswordStrength } from "./password-policy";
import { hashRefreshToken, newRefreshToken, type AccessTokens } from "./tokens";
import { createUserStateCache, type UserStateCache } from "./user-state";

export { AuthErrors } from "./errors";
export { createAccessTokens, type AccessTokens } from "./tokens";

export interface AuthOptions {
  tokens: AccessTokens;
  bcryptCost: number;
  refreshTtlDays: number;
  loginMaxFailures: number;
  /** Sign-ups allowed from one IP address per hour (each costs a bcrypt hash). */
  signupsPerIpPerHour?: number;
  /** Where bcrypt runs (default: the process's worker pool). */
  hasher?: PasswordHasher;
  /** A rotated refresh token presented again within this time gets a sibling (default 30 s). */
  refreshGraceMs?: number;
  /** How long a user's active/disabled/deleted state is trusted (default 5 s). */
  userStateTtlMs?: number;
}

export interface Session {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
  user: UserView;
}

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
}

const LOGIN_WINDOW_SECONDS = 15 * 60;
/**
 * A refresh token presented again this soon after its rotation is taken as another tab of the
 * same browser refreshing at the same time (it read the token before the first tab stored the
 * new one): it gets a new token of the same sign-in instead of revoking it. Later, a rotated
 * token can only be a copy, and revokes the whole sign-in.
 */
export const REFRESH_GRACE_MS = 30_000;
const graceOf = (o: AuthOptions) => o.refreshGraceMs ?? REFRESH_GRACE_MS;

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(ports: Ports, options: AuthOptions) {
  const { db } = ports;
  const hasher = options.hasher ?? sharedPasswordHasher();
  const userState: UserStateCache = createUserStateCache(
    db,
    options.userStateTtlMs !== undefined ? { ttlMs: options.userStateTtlMs } : {},
  );
  // Failed sign-ins (OWASP Authentication Cheat Sheet, "Protect against automated attacks"):
  // per (IP, account) — the guesser's own pair is locked quickly — and per account across all
  // IPs (distributed guessing), with a higher bar. Never per IP alone: a shared address (NAT,
  // campus) must not lock out its people's correct passwords. Guessing across accounts from one
  // IP is bounded by the request limit per IP and the hashing pool's concurrency.
  const perIpAccount: RateLimiter = ports.rateLimits.create(
    "login-fail",
    options.loginMaxFailures,
    LOGIN_WINDOW_SECONDS,
  );
  const perAccount: RateLimiter = ports.rateLimits.create(
    "login-fail-acct",
    options.loginMaxFailures * 4,
    LOGIN_WINDOW_SECONDS,
  );
  const signupsPerIp: RateLimiter = ports.rateLimits.create(
    "signup-ip",
    options.signupsPerIpPerHour ?? 20,
    3600,
  );
  // Compared against when the account does not exist, so timing does not reveal which logins exist.
  // Made on first use, so start-up does not pay for a bcrypt hash.
  let dummyHash: Promise<string> | undefined;

  async function startSession(
    tx: Executor,
    user: UserView,
    meta: RequestMeta,
    familyId: string,
  ): Promise<Session> {
    const { token, hash } = newRefreshToken();
    const expiresAt = new Date(Date.now() + options.refreshTtlDays * 86_400_000);
    await tx.insert(refreshTokens).values({
      userId: user.id,
      familyId,
      tokenHash: hash,
      expiresAt,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      ip: meta.ip ?? null,
    });
    const access = await options.tokens.issue({ userId: user.id, role: user.role });
    return {
      accessToken: access.token,
      tokenType: "Bearer",
      expiresIn: access.expiresIn,
      refreshToken: token,
      refreshExpiresAt: expiresAt.toISOString(),
      user,
    };
  }

  /** Revokes every live token of a sign-in, with its audit row, in one transaction. */
  async function revokeFamily(
    token: { familyId: string; userId: string },
    meta: RequestMeta,
    action: string,
  ) {
    await db.transaction(async (tx) => {
      await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(refreshTokens.familyId, token.familyId), isNull(refreshTokens.revokedAt)));
      await recordAudit(
        tx,
        meta,
        { userId: token.userId },
        { action, entityType: "refresh_token_family", entityId: token.familyId },
      );
    });
  }

  return {
    async register(input: RegisterInput, meta: RequestMeta): Promise<Session> {
      if (!passwordFitsBcrypt(input.password)) throw AuthErrors.passwordTooLong();
      assertPasswordStrength(input.password, input);
      const quota = await signupsPerIp.consume(meta.ip ?? "unknown");
      if (!quota.allowed) throw AuthErrors.tooManySignups(quota.resetSeconds);
      const passwordHash = await hasher.hash(input.password, options.bcryptCost);
      try {
        return await db.transaction(async (tx) => {
          const [row] = await tx
            .insert(users)
            .values({
              username: cleanText(input.username),
              email: input.email.trim().toLowerCase(),
              passwordHash,
            })
            .returning();
          if (!row) throw new Error("insert returned no row");
          await recordAudit(
            tx,
            meta,
            { userId: row.id },
            { action: "user.register", entityType: "user", entityId: row.id },
          );
          return startSession(tx, toUserView(row, null), meta, randomUUID());
        });
      } catch (error) {
        throw (
          toDomainError(error, {
            unique: (constraint) =>
              AuthErrors.userExists(constraint?.includes("email") ? "email" : "username"),
          }) ?? error
        );
      }
    },

    async login(login: string, password: string, meta: RequestMeta): Promise<Session> {
      const ip = meta.ip ?? "unknown";
      const account = login.trim().toLowerCase();
      const pairKey = `${ip}|${account}`;
      for (const [limiter, key] of [
        [perIpAccount, pairKey],
        [perAccount, account],
      ] as const) {
        const state = await limiter.peek(key);
        if (!state.allowed) throw AuthErrors.tooManyLoginAttempts(state.resetSeconds);
      }
      const user = await findUserByLogin(db, login);
      const ok = passwordFitsBcrypt(password)
        ? await hasher.verify(
            password,
            user?.passwordHash ??
              (await (dummyHash ??= hasher
                .hash("jonquils-dummy-password", options.bcryptCost)
                .catch((error: unknown) => {
                  dummyHash = undefined;
                  throw error;
                }))),
          )
        : false;
      if (!user || !ok) {
        await Promise.all([perIpAccount.consume(pairKey), perAccount.consume(account)]);
        await recordAudit(db, meta, user ? { userId: user.id } : null, {
          action: "auth.login_failed",
          entityType: "user",
          entityId: user?.id ?? null,
        });
        throw AuthErrors.invalidCredentials();
      }
      if (!user.isActive) throw AuthErrors.accountDisabled();
      await perIpAccount.reset(pairKey);
      return db.transaction(async (tx) => {
        await recordAudit(
          tx,
          meta,
          { userId: user.id },
          { action: "auth.login", entityType: "user", entityId: user.id },
        );
        return startSession(tx, await getUserView(tx, user.id), meta, randomUUID());
      });
    },

    /** Rotates a refresh token. A token presented after its rotation revokes its whole family. */
    async refresh(token: string, meta: RequestMeta): Promise<Session> {
      const hash = hashRefreshToken(token);
      const now = new Date();
      const session = await db.transaction(async (tx) => {
        const [row] = await tx
          .update(refreshTokens)
          .set({ rotatedAt: now })
          .where(
            and(
              eq(refreshTokens.tokenHash, hash),
              isNull(refreshTokens.rotatedAt),
              isNull(refreshTokens.revokedAt),
              gt(refreshTokens.expiresAt, now),
            ),
          )
          .returning();
        if (!row) return null;
        const user = await getUserView(tx, row.userId);
        if (!user.isActive) throw AuthErrors.accountDisabled();
        return startSession(tx, user, meta, row.familyId);
      });
      if (session) return session;

      const [existing] = await db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hash))
        .limit(1);
      if (
        existing?.rotatedAt &&
        !existing.revokedAt &&
        existing.expiresAt > now &&
        now.getTime() - existing.rotatedAt.getTime() < graceOf(options)
      ) {
        // Another tab refreshing at the same moment: a sibling token of the same sign-in.
        const sibling = await db.transaction(async (tx) => {
          const [live] = await tx
            .select({ id: refreshTokens.id })
            .from(refreshTokens)
            .where(
              and(eq(refreshTokens.familyId, existing.familyId), isNull(refreshTokens.revokedAt)),
            )
            .limit(1)
            .for("update");
          if (!live) return null;
          const user = await getUserView(tx, existing.userId);
          if (!user.isActive) throw AuthErrors.accountDisabled();
          return startSession(tx, user, meta, existing.familyId);
        });
        if (sibling) return sibling;
        throw AuthErrors.invalidRefreshToken();
      }
      if (existing?.rotatedAt && !existing.revokedAt) {
        await revokeFamily(existing, meta, "auth.refresh_reuse_detected");
        ports.log.warn(
          { userId: existing.userId, familyId: existing.familyId },
          "refresh token reuse: family revoked",
        );
        throw AuthErrors.refreshTokenReused();
      }
      throw AuthErrors.invalidRefreshToken();
    },

    /** Ends the sign-in the refresh token belongs to (its whole family). Idempotent. */
    async logout(token: string, meta: RequestMeta): Promise<void> {
      const [existing] = await db
        .select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashRefreshToken(token)))
        .limit(1);
      if (!existing) return;
      await revokeFamily(existing, meta, "auth.logout");
    },

    me(actor: Actor): Promise<UserView> {
      return getUserView(db, actor.userId);
    },

    /**
     * Verifies an access token and that its account still exists and is active (state read at
     * most every 5 s per user): a disabled or deleted account is refused with 401.
     */
    async verifyAccessToken(token: string): Promise<Actor> {
      const actor = await options.tokens.verify(token);
      if ((await userState.get(actor.userId)) !== "active") throw AuthErrors.accountUnavailable();
      return actor;
    },

    /** Signature, algorithm, issuer, audience and expiry only (no account look-up). */
    verifyTokenSignature: (token: string): Promise<Actor> => options.tokens.verify(token),

    /** Admin: disables (every sign-in ends) or re-enables an account. */
    async setUserActive(actor: Actor, userId: string, active: boolean, meta: RequestMeta) {
      if (actor.role !== "admin") throw CommonErrors.forbidden("Only admins can do this.");
      if (userId === actor.userId && !active)
        throw CommonErrors.conflict("cannot_disable_self", "Admins cannot disable themselves.");
      const view = await transaction(ports, async (tx, effects) => {
        const [row] = await tx
          .update(users)
          .set({ isActive: active, updatedAt: new Date() })
          .where(eq(users.id, userId))
          .returning({ id: users.id });
        if (!row) throw CommonErrors.notFound("user", userId);
        if (!active)
          await tx
            .update(refreshTokens)
            .set({ revokedAt: new Date() })
            .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
        await recordAudit(tx, meta, actor, {
          action: active ? "user.enable" : "user.disable",
          entityType: "user",
          entityId: userId,
        });
        effects.afterCommit("account state", () => userState.invalidate(userId));
        return getUserView(tx, userId);
      });
      return view;
    },

    /** Admin: deletes an account (its sessions, playlists, history and uploads go with it). */
    async deleteUser(actor: Actor, userId: string, meta: RequestMeta): Promise<void> {
      if (actor.role !== "admin") throw CommonErrors.forbidden("Only admins can do this.");
      if (userId === actor.userId)
        throw CommonErrors.conflict("cannot_delete_self", "Admins cannot delete themselves.");
      await transaction(ports, async (tx, effects) => {
        // Their playlists go with them (cascade): the public ones leave search too.
        const owned = await tx
          .select({ id: playlists.id })
          .from(playlists)
          .where(eq(playlists.userId, userId));
        const [row] = await tx
          .delete(users)
          .where(eq(users.id, userId))
          .returning({ id: users.id });
        if (!row) throw CommonErrors.notFound("user", userId);
        await recordAudit(tx, meta, actor, {
          action: "user.delete",
          entityType: "user",
          entityId: userId,
        });
        effects.syncSearch({ playlists: owned.map((p) => p.id) });
        effects.afterCommit("account state", () => userState.invalidate(userId));
      });
    },
  };
}
