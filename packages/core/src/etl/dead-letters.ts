import type { Executor } from "../db/types";
import { deadLetters } from "./etl.sql";

/** Where a dead letter came from: the in-process pipeline (locally) or an AWS source. */
export type DeadLetterSource = "local-pipeline" | (string & {});

/**
 * Keeps an event the pipeline could not deliver in etl.dead_letters (the one writer of that
 * table), with the error cut to 4000 characters.
 */
export async function recordDeadLetter(
  db: Executor,
  letter: { source: DeadLetterSource; event: unknown; error: string },
): Promise<void> {
  await db.insert(deadLetters).values({
    source: letter.source,
    event: letter.event as Record<string, unknown>,
    error: letter.error.slice(0, 4000),
  });
}
