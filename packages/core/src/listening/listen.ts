import { eq } from "drizzle-orm";
import { createHash } from "node:crypto";
import { listenRecord, listenAction, type ListenAction } from "../analytics/records";
import type { Actor, Ctx } from "../context";
import { AppError, CommonErrors } from "../errors";
import { transaction } from "../db/transaction";
import { claimIdempotencyKey, storeIdempotentResponse } from "../outbox/idempotency";
import { tracks } from "../track/track.sql";
import { listeningHistory } from "./listening.sql";

export interface ListenInput {
  trackId: string;
  playDurationMs: number;
  completionPercentage?: number | undefined;
  platform: string;
  deviceType: string;
  playedAt?: Date | undefined;
  /** The client's Idempotency-Key: a repeat gets the first answer, nothing is counted twice. */
  idempotencyKey?: string | undefined;
}

export interface ListenResult {
  id: number;
  trackId: string;
  playedAt: string;
  playDurationMs: number;
  completionPercentage: number;
  action: ListenAction;
}

export const idempotencyKeyMismatch = () =>
  new AppError(
    "idempotency_key_reused",
    422,
    "This Idempotency-Key was already used with a different request body.",
  );

/**
 * Records a play: the listening_history row and its analytics event (in the outbox) in one
 * transaction, so an answered listen survives a crash the next instant; the drainer delivers
 * the event at least once and the store drops repeats (exactly-once counts). With an
 * Idempotency-Key, the answer is stored in the same transaction and a repeat gets it back.
 */
export async function recordListen(
  ctx: Ctx,
  actor: Actor,
  input: ListenInput,
): Promise<ListenResult> {
  const [track] = await ctx.db
    .select({
      id: tracks.id,
      artistId: tracks.artistId,
      genreId: tracks.genreId,
      durationMs: tracks.durationMs,
    })
    .from(tracks)
    .where(eq(tracks.id, input.trackId))
    .limit(1);
  if (!track) throw CommonErrors.notFound("track", input.trackId);
  let completion = input.completionPercentage;
  if (completion === undefined) {
    if (track.durationMs <= 0)
      throw new AppError(
        "completion_required",
        400,
        "This track has no known duration: send completionPercentage.",
      );
    completion = Math.min(100, (input.playDurationMs / track.durationMs) * 100);
  }
  completion = Math.round(completion * 100) / 100;
  const playedAt = input.playedAt ?? new Date();
  const key = input.idempotencyKey;
  const requestHash = key
    ? createHash("sha256")
        .update(
          JSON.stringify([
            input.trackId,
            input.playDurationMs,
            input.completionPercentage ?? null,
            input.platform,
            input.deviceType,
            input.playedAt?.toISOString() ?? null,
          ]),
        )
        .digest("hex")
    : "";
  const idempotency = key ? { userId: actor.userId, scope: "listen", key } : null;

  const result = await transaction(ctx, async (tx, effects) => {
    if (idempotency) {
      // The key row first: a concurrent repeat waits on it, then finds the stored answer.
      const prior = await claimIdempotencyKey(tx, idempotency, requestHash);
      if (prior && prior.requestHash !== requestHash) throw idempotencyKeyMismatch();
      if (prior) return { replay: true, body: prior.response as ListenResult };
    }
    const [row] = await tx
      .insert(listeningHistory)
      .values({
        userId: actor.userId,
        trackId: track.id,
        playedAt,
        playDurationMs: input.playDurationMs,
        completionPercentage: completion,
        platform: input.platform,
        deviceType: input.deviceType,
      })
      .returning({ id: listeningHistory.id });
    // Delivered soon after the commit; the drainer's timer (and the next start) cover a
    // process that dies first.
    effects.publish("analytics", [
      listenRecord({
        at: playedAt.getTime(),
        trackId: track.id,
        userId: actor.userId,
        artistId: track.artistId,
        genreId: track.genreId,
        durationPlayedMs: input.playDurationMs,
        completionPercentage: completion,
        platform: input.platform,
        deviceType: input.deviceType,
      }),
    ]);
    const body: ListenResult = {
      id: row!.id,
      trackId: track.id,
      playedAt: playedAt.toISOString(),
      playDurationMs: input.playDurationMs,
      completionPercentage: completion,
      action: listenAction(completion),
    };
    if (idempotency) await storeIdempotentResponse(tx, idempotency, body);
    return { replay: false, body };
  });
  return result.body;
}
