import { and, eq } from "drizzle-orm";
import type { Executor } from "../db/types";
import { idempotencyKeys } from "./outbox.sql";

/** One Idempotency-Key: per user and operation (`scope`). */
export interface IdempotencyKeyRef {
  userId: string;
  scope: string;
  key: string;
}

const whereKey = (ref: IdempotencyKeyRef) =>
  and(
    eq(idempotencyKeys.userId, ref.userId),
    eq(idempotencyKeys.scope, ref.scope),
    eq(idempotencyKeys.key, ref.key),
  );

/**
 * Claims the key in the caller's transaction, before the effect it guards: null when this
 * request holds it now, else the earlier request's body hash and stored answer. A concurrent
 * repeat waits on the claimed row until the first request's transaction ends.
 */
export async function claimIdempotencyKey(
  tx: Executor,
  ref: IdempotencyKeyRef,
  requestHash: string,
): Promise<{ requestHash: string; response: unknown } | null> {
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ userId: ref.userId, scope: ref.scope, key: ref.key, requestHash, response: {} })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length > 0) return null;
  const [prior] = await tx
    .select({ requestHash: idempotencyKeys.requestHash, response: idempotencyKeys.response })
    .from(idempotencyKeys)
    .where(whereKey(ref))
    .limit(1);
  return prior ?? null;
}

/** Stores the answer of the request that claimed the key, in the same transaction as its effect. */
export async function storeIdempotentResponse(
  tx: Executor,
  ref: IdempotencyKeyRef,
  response: unknown,
): Promise<void> {
  await tx.update(idempotencyKeys).set({ response }).where(whereKey(ref));
}
