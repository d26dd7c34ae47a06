import { createHash, randomBytes } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import type { Actor } from "../context";
import { userRole, type UserRole } from "../user/user.sql";
import { AuthErrors } from "./errors";

const ISSUER = "jonquils";
const AUDIENCE = "jonquils-api";
const ALG = "HS256";

export interface AccessTokens {
  issue(actor: Actor): Promise<{ token: string; expiresIn: number }>;
  /** Verifies signature, algorithm, issuer, audience and expiry; throws a 401 AppError otherwise. */
  verify(token: string): Promise<Actor>;
}

/** Short-lived JWT access tokens, HS256 only (so `alg: none` and algorithm swaps are refused). */
export function createAccessTokens(secret: string, ttlSeconds: number): AccessTokens {
  const key = new TextEncoder().encode(secret);
  return {
    async issue(actor) {
      const token = await new SignJWT({ role: actor.role })
        .setProtectedHeader({ alg: ALG, typ: "JWT" })
        .setSubject(actor.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .setJti(randomBytes(12).toString("base64url"))
        .sign(key);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALG],
          issuer: ISSUER,
          audience: AUDIENCE,
          // A token without an expiry (or subject, or issue time) would work forever: refused.
          requiredClaims: ["exp", "iat", "sub"],
        });
        const role = payload["role"];
        if (typeof payload.sub !== "string" || !isRole(role)) throw AuthErrors.invalidToken();
        return { userId: payload.sub, role };
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw AuthErrors.tokenExpired();
        throw AuthErrors.invalidToken();
      }
    },
  };
}

const isRole = (v: unknown): v is UserRole =>
  typeof v === "string" && (userRole.enumValues as readonly string[]).includes(v);

/** An opaque refresh token (256 random bits) and the hash that is stored. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashRefreshToken(token) };
}

export const hashRefreshToken = (token: string) => createHash("sha256").update(token).digest("hex");
