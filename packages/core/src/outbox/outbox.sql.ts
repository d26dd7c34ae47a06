import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { users } from "../user/user.sql";

/**
 * The transactional outbox: events written in the same transaction as the change they describe
 * (a listen, a catalog write), then delivered at least once by the drainer (`outbox/index.ts`).
 * A claimed batch keeps its `batch_id` (its smallest event id) until delivered, so a batch sent
 * again after a crash is the same rows under the same id — the analytics store drops the repeat
 * by that id (insert deduplication token).
 */
export const outboxEvents = pgTable(
  "outbox_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** Which drainer handles it: "analytics" (store rows) or "search" (documents to sync). */
    topic: varchar("topic", { length: 32 }).notNull(),
    payload: jsonb("payload").notNull(),
    batchId: bigint("batch_id", { mode: "number" }),
    claimedAt: timestamp("claimed_at", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("outbox_events_pending_idx")
      .on(t.topic, t.id)
      .where(sql`batch_id is null`),
    index("outbox_events_batch_idx").on(t.batchId),
  ],
);

/**
 * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) per user and operation: the first
 * request's answer is stored in the same transaction as its effect, and a repeat gets it back.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    scope: varchar("scope", { length: 32 }).notNull(),
    key: varchar("key", { length: 255 }).notNull(),
    /** SHA-256 of the request body: the same key with another body is refused. */
    requestHash: text("request_hash").notNull(),
    response: jsonb("response").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.scope, t.key] }),
    index("idempotency_keys_created_idx").on(t.createdAt),
  ],
);
