import { eq, inArray } from "drizzle-orm";
import type { Actor, Ctx } from "../context";
import { CommonErrors } from "../errors";
import { tracks } from "../track/track.sql";
import { playQueues } from "./play-queue.sql";

export const MAX_QUEUE_TRACKS = 5000;

export interface PlayQueue {
  trackIds: string[];
  currentIndex: number | null;
  positionMs: number;
  changedBy: string;
  updatedAt: string;
}

export interface SavePlayQueueInput {
  trackIds: string[];
  currentIndex?: number | null | undefined;
  positionMs?: number | undefined;
  changedBy: string;
}

/** The user's saved queue, or null when none was ever saved (or it was cleared). */
export async function getPlayQueue(ctx: Pick<Ctx, "db">, actor: Actor): Promise<PlayQueue | null> {
  const [row] = await ctx.db
    .select()
    .from(playQueues)
    .where(eq(playQueues.userId, actor.userId))
    .limit(1);
  if (!row || row.trackIds.length === 0) return null;
  // Tracks deleted since the queue was saved drop out; the current index follows its track.
  const alive = new Set(
    (
      await ctx.db.select({ id: tracks.id }).from(tracks).where(inArray(tracks.id, row.trackIds))
    ).map((r) => r.id),
  );
  const current = row.currentIndex != null ? row.trackIds[row.currentIndex] : undefined;
  const trackIds = row.trackIds.filter((id) => alive.has(id));
  if (trackIds.length === 0) return null;
  const currentIndex = current && alive.has(current) ? trackIds.indexOf(current) : null;
  return {
    trackIds,
    currentIndex,
    positionMs: currentIndex === null ? 0 : row.positionMs,
    changedBy: row.changedBy,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Replaces the user's queue (an empty list clears it). Unknown track ids are refused. */
export async function savePlayQueue(
  ctx: Pick<Ctx, "db">,
  actor: Actor,
  input: SavePlayQueueInput,
): Promise<PlayQueue | null> {
  const { trackIds } = input;
  if (trackIds.length > MAX_QUEUE_TRACKS)
    throw CommonErrors.invalid(
      "queue_too_long",
      `A play queue holds at most ${MAX_QUEUE_TRACKS} tracks.`,
    );
  const currentIndex = input.currentIndex ?? (trackIds.length > 0 ? 0 : null);
  if (currentIndex !== null && (currentIndex < 0 || currentIndex >= trackIds.length))
    throw CommonErrors.invalid("invalid_current_index", "currentIndex must point into trackIds.");
  const unique = [...new Set(trackIds)];
  if (unique.length > 0) {
    const found = await ctx.db
      .select({ id: tracks.id })
      .from(tracks)
      .where(inArray(tracks.id, unique));
    if (found.length !== unique.length) {
      const known = new Set(found.map((r) => r.id));
      const missing = unique.find((id) => !known.has(id))!;
      throw CommonErrors.notFound("track", missing);
    }
  }
  const values = {
    trackIds,
    currentIndex,
    positionMs: Math.max(0, Math.round(input.positionMs ?? 0)),
    changedBy: input.changedBy.slice(0, 100) || "unknown",
    updatedAt: new Date(),
  };
  await ctx.db
    .insert(playQueues)
    .values({ userId: actor.userId, ...values })
    .onConflictDoUpdate({ target: playQueues.userId, set: values });
  return getPlayQueue(ctx, actor);
}
