import { index, pgTable, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";
import { users } from "../user/user.sql";

/**
 * Passwords for player apps (Subsonic clients). Token auth (t = md5(password + salt)) needs
 * the plain secret on the server, so it is stored encrypted, never hashed: AES-256-GCM under
 * a per-row data key, which is itself wrapped by the envelope key (KMS in AWS, a key file
 * under DATA_DIR locally).
 */
export const appPasswords = pgTable(
  "app_passwords",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: varchar("name", { length: 100 }).notNull(),
    /** base64url(iv | ciphertext | tag) of the secret under the data key. */
    ciphertext: text("ciphertext").notNull(),
    /** The data key as the envelope key wrapped it (base64). */
    wrappedKey: text("wrapped_key").notNull(),
    /** Which envelope key wrapped it: "local:<fingerprint>" or the KMS key id. */
    keyId: varchar("key_id", { length: 2048 }).notNull(),
    /** The first characters, shown in lists so the user can tell passwords apart. */
    hint: varchar("hint", { length: 8 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("app_passwords_user_idx").on(t.userId, t.createdAt.desc())],
);
