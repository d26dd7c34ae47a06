import { eq } from "drizzle-orm";
import { createLru } from "../util/lru";
import type { Executor } from "../db/types";
import { users } from "../user/user.sql";

export type UserState = "active" | "disabled" | "missing";

/**
 * Whether an access token's user may still act: read from the catalog at most once per
 * `ttlMs` per user and process (so a disabled or deleted account is refused within that time
 * everywhere, at once in the process that changed it), with concurrent look-ups shared.
 */
export interface UserStateCache {
  get(userId: string): Promise<UserState>;
  /** Forget a user's state (after disable, enable, delete). */
  invalidate(userId: string): void;
}

/** The longest a disabled or deleted account's live access token keeps working. */
export const USER_STATE_TTL_MS = 5000;

export function createUserStateCache(
  db: Executor,
  options: { ttlMs?: number; max?: number } = {},
): UserStateCache {
  const cache = createLru<string, UserState>(options.max ?? 100_000, {
    ttl: options.ttlMs ?? USER_STATE_TTL_MS,
  });
  const pending = new Map<string, Promise<UserState>>();
  return {
    get(userId) {
      const hit = cache.get(userId);
      if (hit) return Promise.resolve(hit);
      let p = pending.get(userId);
      if (!p) {
        p = db
          .select({ isActive: users.isActive })
          .from(users)
          .where(eq(users.id, userId))
          .limit(1)
          .then(([row]) => {
            const state: UserState = !row ? "missing" : row.isActive ? "active" : "disabled";
            cache.set(userId, state);
            return state;
          })
          .finally(() => pending.delete(userId));
        pending.set(userId, p);
      }
      return p;
    },
    invalidate(userId) {
      cache.delete(userId);
    },
  };
}
