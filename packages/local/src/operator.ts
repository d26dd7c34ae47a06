import type { Db } from "@jonquils/core";
import { users } from "@jonquils/core/db/schema";
import { and, asc, eq } from "drizzle-orm";

/**
 * The account local CLIs act as when they ask the running server (e.g. `npm run monitor`):
 * the earliest active admin. Tokens are checked against a real, active account on every
 * request, so the CLI signs its short-lived token for this one rather than a made-up id.
 */
export async function localOperatorId(db: Db): Promise<string | undefined> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.isActive, true)))
    .orderBy(asc(users.createdAt))
    .limit(1);
  return row?.id;
}
