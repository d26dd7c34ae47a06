import { createHash } from "node:crypto";
import { eq, or, sql } from "drizzle-orm";
import { artists } from "../artist/artist.sql";
import type { Executor } from "../db/types";
import { CommonErrors } from "../errors";
import { users, type UserRole } from "./user.sql";

export interface UserView {
  id: string;
  username: string;
  email: string;
  role: UserRole;
  isActive: boolean;
  artistId: string | null;
  createdAt: string;
}

export type UserRow = typeof users.$inferSelect;

export function toUserView(row: UserRow, artistId: string | null): UserView {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role,
    isActive: row.isActive,
    artistId,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function findUserByLogin(db: Executor, login: string): Promise<UserRow | undefined> {
  const needle = login.trim().toLowerCase();
  const [row] = await db
    .select()
    .from(users)
    .where(or(sql`lower(${users.username}) = ${needle}`, sql`lower(${users.email}) = ${needle}`))
    .limit(1);
  return row;
}

export async function getUserView(db: Executor, userId: string): Promise<UserView> {
  const [row] = await db
    .select({ user: users, artistId: artists.id })
    .from(users)
    .leftJoin(artists, eq(artists.userId, users.id))
    .where(eq(users.id, userId))
    .limit(1);
  if (!row) throw CommonErrors.notFound("user", userId);
  return toUserView(row.user, row.artistId);
}

/**
 * What a cached sign-in must still match: the account exists, is active, and has the same
 * password hash (a digest of it, so the hash itself is never copied into a cache).
 */
export async function accountCredentialState(
  db: Executor,
  userId: string,
): Promise<{ active: boolean; passwordDigest: string } | undefined> {
  const [row] = await db
    .select({ isActive: users.isActive, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return row
    ? { active: row.isActive, passwordDigest: passwordDigestOf(row.passwordHash) }
    : undefined;
}

/** A short digest of a bcrypt hash: changes whenever the password does. */
export function passwordDigestOf(passwordHash: string): string {
  return createHash("sha256").update(passwordHash).digest("base64url").slice(0, 22);
}
