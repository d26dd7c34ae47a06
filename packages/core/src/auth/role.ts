import { eq, sql } from "drizzle-orm";
import type { Executor } from "../db/types";
import { users } from "../user/user.sql";

/**
 * A user who becomes an artist gets the artist role (an admin stays admin), in the caller's
 * transaction: the role is raised with the profile that earns it, or not at all.
 */
export async function raiseRoleToArtist(tx: Executor, userId: string): Promise<void> {
  await tx
    .update(users)
    .set({
      role: sql`case when ${users.role} = 'admin' then 'admin'::user_role else 'artist'::user_role end`,
      updatedAt: new Date(),
    })
    .where(eq(users.id, userId));
}
