import { and, eq, gt, isNull } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/audit";
import type { Actor, Ports, RequestMeta } from "../context";
import { pgConstraint, isUniqueViolation } from "../db/errors";
import type { Executor } from "../db/types";
import type { RateLimiter } from "../rate-limit/rate-limit";
import { findUserByLogin, getUserView, toUserView, type UserView } from "../user/user";
import { users } from "../user/user.sql";
import { cleanText } from "../util/text";
import { refreshTokens } from "./auth.sql";
import { AuthErrors } from "./errors";
import { hashPassword, passwordFitsBcrypt, verifyPassword } from "./password";
import { hashRefreshToken, newRefreshToken, type AccessTokens } from "./tokens";

export { AuthErrors } from "./errors";
export { createAccessTokens, type AccessTokens } from "./tokens";

export interface AuthOptions {
  tokens: AccessTokens;
  bcryptCost: number;
  refreshTtlDays: number;
  loginMaxFailures: number;
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

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(ports: Ports, options: AuthOptions) {
  const { db } = ports;
  // Failed sign-ins per (IP, account), and per IP across accounts (credential stuffing).
  const perAccount: RateLimiter = ports.rateLimits.create(
    "login-fail",
    options.loginMaxFailures,
    LOGIN_WINDOW_SECONDS,
  );
  const perIp: RateLimiter = ports.rateLimits.create(
    "login-fail-ip",
    options.loginMaxFailures * 10,
    LOGIN_WINDOW_SECONDS,
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
      const passwordHash = await hashPassword(input.password, options.bcryptCost);
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
        if (isUniqueViolation(error)) {
          throw AuthErrors.userExists(
            pgConstraint(error)?.includes("email") ? "email" : "username",
          );
        }
        throw error;
      }
    },

    async login(login: string, password: string, meta: RequestMeta): Promise<Session> {
      const ip = meta.ip ?? "unknown";
      const accountKey = `${ip}|${login.trim().toLowerCase()}`;
      for (const [limiter, key] of [
        [perAccount, accountKey],
        [perIp, ip],
      ] as const) {
        const state = await limiter.peek(key);
        if (!state.allowed) throw AuthErrors.tooManyLoginAttempts(state.resetSeconds);
      }
      const user = await findUserByLogin(db, login);
      const ok = passwordFitsBcrypt(password)
        ? await verifyPassword(
            password,
            user?.passwordHash ??
              (await (dummyHash ??= hashPassword("jonquils-dummy-password", options.bcryptCost))),
          )
        : false;
      if (!user || !ok) {
        await Promise.all([perAccount.consume(accountKey), perIp.consume(ip)]);
        await recordAudit(db, meta, user ? { userId: user.id } : null, {
          action: "auth.login_failed",
          entityType: "user",
          entityId: user?.id ?? null,
        });
        throw AuthErrors.invalidCredentials();
      }
      if (!user.isActive) throw AuthErrors.accountDisabled();
      await perAccount.reset(accountKey);
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

    verifyAccessToken: (token: string) => options.tokens.verify(token),
  };
}
