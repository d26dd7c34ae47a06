/**
 * The upload lifecycle: the ONE module that writes `staging.track_uploads` and the etl
 * tables (`etl.s3_file_registry`, `etl.etl_jobs`). The API (tickets, URL imports), the
 * pipeline steps (claim, stage, attach, complete, fail) and the recovery sweeps all go
 * through it.
 *
 *   pending ──claim──▶ processing ──stage──▶ (staged) ──attach+complete──▶ done
 *      │                   │                                          ▲
 *      │ expired           │ error / interrupted (bounded re-drives) ─┘
 *      ▼                   ▼
 *    failed ◀──────────── failed (with a reason in words)
 *
 * Single use: a ticket's object is accepted once. The first object-created event records
 * its etag on the upload; a different object later (a replayed form) is refused, and
 * Transform checks that the bytes it reads are that object. The track plays a copy under
 * `a/…` that no signed form can target, so a `done` track's audio never changes.
 */
import { and, asc, eq, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { Executor } from "../db/types";
import { etlJobs, s3FileRegistry } from "../etl/etl.sql";
import type { Logger } from "../logger";
import type { ObjectCreatedEvent, ObjectStore } from "../storage/object-store";
import type { StagedTrack } from "./staged";
import { trackUploads } from "./upload.sql";

export type { StagedTrack } from "./staged";

export type UploadRow = typeof trackUploads.$inferSelect;
export type NewUpload = typeof trackUploads.$inferInsert;

/** Executions one upload may get (the first and the re-drives after crashes). */
export const MAX_ATTEMPTS = 3;
/** Grace after a ticket's expiry for its object-created event to arrive. */
export const EXPIRY_GRACE_MS = 60_000;
/** Without a live-execution list (AWS), a run older than this is dead (the state machine times out at 30 min). */
export const STALLED_AFTER_MS = 35 * 60_000;

export const EXPIRED_REASON =
  "the upload link expired before a file arrived: start the upload again";
export const REPLAY_REASON =
  "the upload form was used a second time with another file; request a new upload for a new file";

/** A job reference passed between states: small, so it fits Step Functions' payload limit. */
export interface JobRef {
  claimed: boolean;
  jobId: string;
  uploadId: string;
  registryId: string;
  bucket: string;
  key: string;
}

/** A problem with the object that no retry fixes: the reason is shown to the uploader. */
export class UploadRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotProcessableError";
  }
}

/** Key of the verified copy the track plays: `a/…` for the upload target `u/…`. */
export const audioKeyFor = (uploadKey: string) => uploadKey.replace(/^u\//, "a/");

// --- tickets -------------------------------------------------------------------------

export async function insertUpload(tx: Executor, values: NewUpload): Promise<UploadRow> {
  const [row] = await tx.insert(trackUploads).values(values).returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** A URL import whose file could not be stored. */
export async function markStoreFailed(db: Executor, uploadId: string, reason: string) {
  await db
    .update(trackUploads)
    .set({ status: "failed", failureReason: reason, updatedAt: new Date() })
    .where(eq(trackUploads.id, uploadId));
}

// --- claim (Extract) ----------------------------------------------------------------

export interface ClaimInput {
  /** The bucket as the event names it (the real S3 name, or "tracks" locally). */
  bucket: string;
  key: string;
  size?: number | null | undefined;
  etag?: string | null | undefined;
  executionName?: string | null | undefined;
}

const notClaimed = (uploadId: string, input: ClaimInput): JobRef => ({
  claimed: false,
  jobId: "",
  uploadId,
  registryId: "",
  bucket: input.bucket,
  key: input.key,
});

/**
 * Claims an object for one execution. The claim is an insert against the registry's
 * (bucket, path) key, so two executions cannot both win; a failed earlier attempt may be
 * taken over (a re-drive), a running or done one may not. A `done` or `failed` upload is
 * never processed again, and an object other than the one first announced (another etag) is
 * refused as a replay. Throws UploadRefusedError for an object nobody asked for.
 */
export async function claimObject(db: Executor, input: ClaimInput): Promise<JobRef> {
  const [upload] = await db
    .select()
    .from(trackUploads)
    .where(eq(trackUploads.s3Path, input.key))
    .limit(1);
  if (!upload) throw new UploadRefusedError("no upload was requested for this object");
  // Done, or failed with a reason (refused, expired, given up): never processed again. A run the
  // recovery sweep re-drives keeps its upload `processing` (only its registry row is failed).
  if (upload.status === "done" || upload.status === "failed") return notClaimed(upload.id, input);
  const etag = input.etag ?? null;
  if (upload.objectEtag && etag && etag !== upload.objectEtag) {
    // Before processing ends the first object wins; the replayed one is never ingested.
    return notClaimed(upload.id, input);
  }
  if (upload.sizeBytes !== null && input.size != null && input.size !== upload.sizeBytes) {
    throw new UploadRefusedError(
      `the stored file has ${input.size} bytes, not the ${upload.sizeBytes} announced when the upload was requested`,
    );
  }
  if (upload.attempts >= MAX_ATTEMPTS && upload.status !== "pending") {
    throw new UploadRefusedError(
      `processing was interrupted ${upload.attempts} times; giving up — upload the file again`,
    );
  }

  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(s3FileRegistry)
      .values({
        bucketName: input.bucket,
        filePath: input.key,
        etag,
        sizeBytes: input.size ?? null,
        status: "processing",
        attempts: 1,
      })
      .onConflictDoNothing()
      .returning({ id: s3FileRegistry.id });
    let registryId = inserted?.id;
    if (!registryId) {
      const [retaken] = await tx
        .update(s3FileRegistry)
        .set({
          status: "processing",
          attempts: sql`${s3FileRegistry.attempts} + 1`,
          error: null,
        })
        .where(
          and(
            eq(s3FileRegistry.bucketName, input.bucket),
            eq(s3FileRegistry.filePath, input.key),
            eq(s3FileRegistry.status, "failed"),
          ),
        )
        .returning({ id: s3FileRegistry.id });
      registryId = retaken?.id;
    }
    if (!registryId) return notClaimed(upload.id, input);

    const [job] = await tx
      .insert(etlJobs)
      .values({
        jobName: "ingest_track",
        status: "running",
        executionName: input.executionName ?? null,
        uploadId: upload.id,
        details: { bucket: input.bucket, key: input.key, size: input.size ?? null },
      })
      .returning({ id: etlJobs.id });
    await tx
      .update(trackUploads)
      .set({
        status: "processing",
        failureReason: null,
        attempts: sql`${trackUploads.attempts} + 1`,
        objectEtag: sql`coalesce(${trackUploads.objectEtag}, ${etag})`,
        sizeBytes: sql`coalesce(${trackUploads.sizeBytes}, ${input.size ?? null}::bigint)`,
        updatedAt: new Date(),
      })
      .where(eq(trackUploads.id, upload.id));
    return {
      claimed: true,
      jobId: job!.id,
      uploadId: upload.id,
      registryId,
      bucket: input.bucket,
      key: input.key,
    };
  });
}

// --- stage (Transform) / attach (Load) ---------------------------------------------

export async function getUploadRow(db: Executor, uploadId: string): Promise<UploadRow | null> {
  const [row] = await db.select().from(trackUploads).where(eq(trackUploads.id, uploadId)).limit(1);
  return row ?? null;
}

/** What Transform read, kept for Load; the warnings so far and the real format beside it. */
export async function stageUpload(
  db: Executor,
  uploadId: string,
  staged: StagedTrack,
  warnings: readonly string[],
  detectedFormat: string,
): Promise<void> {
  await db
    .update(trackUploads)
    .set({ staged, warnings: [...warnings], detectedFormat, updatedAt: new Date() })
    .where(eq(trackUploads.id, uploadId));
}

/** Load, inside its transaction: the upload now points at its track, with every warning. */
export async function attachTrack(
  tx: Executor,
  uploadId: string,
  trackId: string,
  warnings: readonly string[],
): Promise<void> {
  await tx
    .update(trackUploads)
    .set({ trackId, warnings: [...warnings], updatedAt: new Date() })
    .where(eq(trackUploads.id, uploadId));
}

// --- end states (Aggregate, MarkFailed) --------------------------------------------

export async function completeUpload(db: Executor, job: JobRef, trackId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(trackUploads)
      .set({ status: "done", trackId, failureReason: null, updatedAt: new Date() })
      .where(eq(trackUploads.id, job.uploadId));
    await tx
      .update(s3FileRegistry)
      .set({ status: "done", processedAt: new Date(), error: null })
      .where(eq(s3FileRegistry.id, job.registryId));
    await tx
      .update(etlJobs)
      .set({
        status: "succeeded",
        endTime: new Date(),
        details: sql`coalesce(${etlJobs.details}, '{}'::jsonb) || ${JSON.stringify({ trackId })}::jsonb`,
      })
      .where(eq(etlJobs.id, job.jobId));
  });
}

export interface Failure {
  key?: string | undefined;
  bucket?: string | undefined;
  jobId?: string | undefined;
  /** For the uploader, in words. */
  reason: string;
  /** For operators: error name and message. */
  error: string;
}

/** The upload failed with a reason (a done upload stays done), the job and registry closed. */
export async function failUpload(db: Executor, f: Failure): Promise<void> {
  const error = f.error.slice(0, 2000);
  await db.transaction(async (tx) => {
    if (f.key) {
      await tx
        .update(trackUploads)
        .set({ status: "failed", failureReason: f.reason, updatedAt: new Date() })
        .where(and(eq(trackUploads.s3Path, f.key), ne(trackUploads.status, "done")));
    }
    if (f.key && f.bucket) {
      await tx
        .update(s3FileRegistry)
        .set({ status: "failed", error, processedAt: new Date() })
        .where(
          and(
            eq(s3FileRegistry.bucketName, f.bucket),
            eq(s3FileRegistry.filePath, f.key),
            ne(s3FileRegistry.status, "done"),
          ),
        );
    }
    if (f.jobId) {
      await tx
        .update(etlJobs)
        .set({ status: "failed", endTime: new Date(), error })
        .where(and(eq(etlJobs.id, f.jobId), eq(etlJobs.status, "running")));
    }
  });
}

// --- recovery -----------------------------------------------------------------------

export interface RecoveryDeps {
  db: Executor;
  objects: ObjectStore;
  log: Pick<Logger, "info" | "warn" | "error">;
}

/** The upload a re-drive is for, and the attempt it would be (AWS names executions after both). */
export interface RedriveTarget {
  uploadId: string;
  /** 1 for an upload never claimed (its event was lost), attempts + 1 after an interrupted run. */
  attempt: number;
}

/**
 * Starts an execution for an object (locally the in-process pipeline, in AWS StartExecution).
 * Returns `false` when an execution for that attempt was running already (nothing started);
 * throws RedriveExhaustedError when no further execution may be started for the upload.
 */
export type Redrive = (event: ObjectCreatedEvent, target: RedriveTarget) => unknown;

/** A re-drive refused because the upload already had its bounded number of executions. */
export class RedriveExhaustedError extends Error {
  constructor(readonly executions: number) {
    super(`${executions} executions were started for this upload and none finished`);
    this.name = "RedriveExhaustedError";
  }
}

/** What the uploader reads when the re-drives are used up. */
export const gaveUpReason = (times: number) =>
  `processing was interrupted ${times} times; giving up — upload the file again`;

/** A run in flight as recovery sees it, for the `isLive` question. */
export interface InFlightUpload {
  id: string;
  key: string;
  attempts: number;
  /** Execution names of the upload's running jobs (Extract records `$$.Execution.Name`). */
  executionNames: string[];
}

/** With `isLive`, a run whose upload row has not moved for this long is asked about (younger ones are in flight). */
export const ASK_LIVE_AFTER_MS = 5 * 60_000;
/** Uploads in flight one sweep looks at, least recently updated first (the next sweep takes the rest). */
export const MAX_ROWS_PER_SWEEP = 100;
/** Re-drives the reconcile sweep tries in one run (a re-driven object is registered by its Extract). */
export const MAX_RECONCILE_REDRIVES = 100;

export interface RecoveryOptions {
  now?: Date;
  /**
   * Object keys with a live execution in this process. Given (the local pipeline), every
   * other running job is dead; absent (AWS), a job is dead after STALLED_AFTER_MS.
   */
  live?: ReadonlySet<string>;
  /**
   * Asks the workflow engine whether an upload's run is still alive (AWS: Step Functions'
   * DescribeExecution). Asked only about rows quiet for `askLiveAfterMs`; when it fails, the
   * run counts as alive until the row is quiet for twice `stalledAfterMs`, then as dead.
   */
  isLive?: (upload: InFlightUpload) => Promise<boolean>;
  /** Without `live` or `isLive`, a run quiet this long is dead (with `isLive` failing: twice this). */
  stalledAfterMs?: number;
  /** With `isLive`: rows updated more recently than this are not asked about. */
  askLiveAfterMs?: number;
  /** Rows looked at per sweep, least recently updated first (default MAX_ROWS_PER_SWEEP; unbounded with `live`). */
  maxRows?: number;
  /**
   * Epoch milliseconds (Date.now()) after which the sweep starts nothing new and returns with
   * `cutShort` (the Lambda passes its remaining time less a margin).
   */
  deadline?: number;
  /** Objects younger than this are left to their own event by the reconcile sweep. */
  reconcileMinAgeMs?: number;
  /** Re-drives the reconcile sweep tries per run (default MAX_RECONCILE_REDRIVES). */
  reconcileMaxRedrives?: number;
}

export interface RecoveryReport {
  expired: number;
  redriven: number;
  gaveUp: number;
  /** Objects whose event was lost, found by the reconcile sweep. */
  reconciled: number;
  /** Liveness questions, re-drives and steps that failed (each logged); the Lambda fails when > 0. */
  errors: number;
  /** The deadline or a cap stopped the sweep before it saw everything; the next one goes on. */
  cutShort: boolean;
}

type InFlightRow = InFlightUpload & { updatedAt: Date };

/**
 * After a crash (at start) and then periodically: every upload heads for `done` or
 * `failed`. Pending tickets past their expiry with no object fail as expired; runs with no
 * live execution are closed and re-driven (at most MAX_ATTEMPTS executions per upload,
 * then failed with a reason); objects whose event was lost are re-driven by `reconcile`.
 * A row is acted on only if it is still the run that was judged dead (same status and
 * attempts), so a run ending meanwhile keeps its outcome. Each part's failures are counted
 * in `errors` and the next part runs anyway, within `deadline`.
 */
export async function recoverUploads(
  deps: RecoveryDeps,
  redrive: Redrive,
  options: RecoveryOptions = {},
): Promise<RecoveryReport> {
  const now = options.now ?? new Date();
  const report: RecoveryReport = {
    expired: 0,
    redriven: 0,
    gaveUp: 0,
    reconciled: 0,
    errors: 0,
    cutShort: false,
  };
  const overdue = () => options.deadline !== undefined && Date.now() >= options.deadline;
  const failed = (err: unknown, msg: string, extra: Record<string, unknown> = {}) => {
    report.errors++;
    deps.log.error({ err, ...extra }, msg);
  };

  try {
    const expiring = await expireTickets(deps, now, overdue);
    report.expired = expiring.expired;
    if (expiring.cutShort) report.cutShort = true;
  } catch (err) {
    failed(err, "expired tickets not swept");
  }

  const stalledMs = options.stalledAfterMs ?? STALLED_AFTER_MS;
  // Locally every run not in `live` is dead whatever its age; otherwise only quiet rows are looked at.
  const quietMs = options.live
    ? 0
    : options.isLive
      ? (options.askLiveAfterMs ?? ASK_LIVE_AFTER_MS)
      : stalledMs;
  const maxRows = options.maxRows ?? (options.live ? undefined : MAX_ROWS_PER_SWEEP);
  let rows: InFlightRow[] = [];
  if (overdue()) report.cutShort = true;
  else {
    try {
      const query = deps.db
        .select({
          id: trackUploads.id,
          key: trackUploads.s3Path,
          attempts: trackUploads.attempts,
          updatedAt: trackUploads.updatedAt,
        })
        .from(trackUploads)
        .where(
          and(
            eq(trackUploads.status, "processing"),
            quietMs > 0 ? lt(trackUploads.updatedAt, new Date(now.getTime() - quietMs)) : undefined,
          ),
        )
        .orderBy(asc(trackUploads.updatedAt));
      const read = await (maxRows !== undefined ? query.limit(maxRows + 1) : query);
      if (maxRows !== undefined && read.length > maxRows) report.cutShort = true;
      rows = read.slice(0, maxRows).map((r) => ({
        id: r.id,
        key: r.key,
        attempts: r.attempts,
        updatedAt: r.updatedAt,
        executionNames: [],
      }));
    } catch (err) {
      failed(err, "uploads in flight not read");
    }
  }
  for (const row of rows) {
    if (overdue()) {
      report.cutShort = true;
      break;
    }
    if (options.live?.has(row.key)) continue;
    try {
      await recoverRun(deps, redrive, options, row, report, now, stalledMs);
    } catch (err) {
      failed(err, "interrupted upload not recovered; the next sweep retries", { uploadId: row.id });
    }
  }

  if (overdue()) report.cutShort = true;
  else {
    try {
      const reconciled = await reconcile(deps, redrive, {
        now,
        ...(options.reconcileMinAgeMs !== undefined ? { minAgeMs: options.reconcileMinAgeMs } : {}),
        ...(options.reconcileMaxRedrives !== undefined
          ? { maxRedrives: options.reconcileMaxRedrives }
          : {}),
        ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
      });
      report.reconciled = reconciled.redriven;
      report.gaveUp += reconciled.gaveUp;
      report.errors += reconciled.errors;
      if (reconciled.cutShort) report.cutShort = true;
    } catch (err) {
      failed(err, "reconcile sweep failed");
    }
  }
  return report;
}

const INTERRUPTED = "Interrupted: no live execution (the process stopped mid-step)";

/** One upload in flight: left alone while its run lives, else closed and re-driven or given up. */
async function recoverRun(
  deps: RecoveryDeps,
  redrive: Redrive,
  options: RecoveryOptions,
  row: InFlightRow,
  report: RecoveryReport,
  now: Date,
  stalledMs: number,
): Promise<void> {
  const running = await deps.db
    .select({ id: etlJobs.id, executionName: etlJobs.executionName })
    .from(etlJobs)
    .where(and(eq(etlJobs.uploadId, row.id), eq(etlJobs.status, "running")));
  if (options.isLive) {
    const executionNames = running.flatMap((j) => (j.executionName ? [j.executionName] : []));
    let alive: boolean;
    try {
      alive = await options.isLive({
        id: row.id,
        key: row.key,
        attempts: row.attempts,
        executionNames,
      });
    } catch (err) {
      report.errors++;
      // Unknown is not dead — for a while: past twice the stall time no run can still be going
      // (the state machine times out first), and a re-drive is idempotent by name anyway.
      const quietFor = now.getTime() - row.updatedAt.getTime();
      if (quietFor < 2 * stalledMs) {
        deps.log.error(
          { err, uploadId: row.id },
          "could not tell whether an upload's run is alive; the next sweep asks again",
        );
        return;
      }
      deps.log.error(
        { err, uploadId: row.id, quietForMs: quietFor },
        "could not tell whether an upload's run is alive for twice the stall time: treated as dead",
      );
      alive = false;
    }
    if (alive) return;
  }
  const [registry] = await deps.db
    .select({ bucket: s3FileRegistry.bucketName })
    .from(s3FileRegistry)
    .where(eq(s3FileRegistry.filePath, row.key))
    .limit(1);
  const bucket = registry?.bucket ?? deps.objects.bucketNames.tracks;
  const givingUp = row.attempts >= MAX_ATTEMPTS;
  // The row was read a while ago: act only if it is still the run judged dead (same status and
  // attempts). A run that ended meanwhile (done, or failed by MarkFailed) or was claimed again keeps its state.
  const acted = await deps.db.transaction(async (tx) => {
    const [still] = await tx
      .update(trackUploads)
      .set(
        givingUp
          ? { status: "failed", failureReason: gaveUpReason(row.attempts), updatedAt: now }
          : { updatedAt: now },
      )
      .where(
        and(
          eq(trackUploads.id, row.id),
          eq(trackUploads.status, "processing"),
          eq(trackUploads.attempts, row.attempts),
        ),
      )
      .returning({ id: trackUploads.id });
    if (!still) return false;
    if (running.length > 0)
      await tx
        .update(etlJobs)
        .set({ status: "failed", endTime: now, error: INTERRUPTED })
        .where(
          and(
            inArray(
              etlJobs.id,
              running.map((j) => j.id),
            ),
            eq(etlJobs.status, "running"),
          ),
        );
    // Registry failed → the re-drive's claim may retake it.
    await tx
      .update(s3FileRegistry)
      .set({ status: "failed", error: INTERRUPTED, ...(givingUp ? { processedAt: now } : {}) })
      .where(and(eq(s3FileRegistry.filePath, row.key), ne(s3FileRegistry.status, "done")));
    return true;
  });
  if (!acted) {
    deps.log.info({ uploadId: row.id }, "upload moved on while the sweep looked at it; left alone");
    return;
  }
  if (givingUp) {
    report.gaveUp++;
    deps.log.warn({ uploadId: row.id, attempts: row.attempts }, "upload given up after crashes");
    return;
  }
  const info = await deps.objects.head("tracks", row.key);
  if (!info) {
    await failUpload(deps.db, {
      key: row.key,
      bucket,
      reason: "the uploaded file is gone from storage; upload it again",
      error: "object missing at recovery",
    });
    return;
  }
  deps.log.info(
    { uploadId: row.id, attempt: row.attempts + 1 },
    "re-driving an interrupted upload",
  );
  const outcome = await redriveOnce(
    deps,
    redrive,
    { bucket: "tracks", key: row.key, size: info.size, etag: info.etag },
    { uploadId: row.id, attempt: row.attempts + 1 },
    bucket,
  );
  if (outcome === "started") report.redriven++;
  if (outcome === "gave-up") report.gaveUp++;
  if (outcome === "error") report.errors++;
}

/**
 * One re-drive: started, refused for good (the upload fails with a reason) or not started
 * this time (logged and counted as an error; the next sweep tries again).
 */
async function redriveOnce(
  deps: RecoveryDeps,
  redrive: Redrive,
  event: ObjectCreatedEvent,
  target: RedriveTarget,
  bucket: string,
): Promise<"started" | "running" | "gave-up" | "error"> {
  try {
    return (await redrive(event, target)) === false ? "running" : "started";
  } catch (err) {
    if (err instanceof RedriveExhaustedError) {
      await failUpload(deps.db, {
        key: event.key,
        bucket,
        reason: gaveUpReason(err.executions),
        error: `${err.name}: ${err.message}`,
      });
      deps.log.warn({ uploadId: target.uploadId }, "upload given up: every re-drive used");
      return "gave-up";
    }
    deps.log.error({ err, uploadId: target.uploadId }, "re-drive not started; next sweep retries");
    return "error";
  }
}

/**
 * Pending tickets past expiry (and grace) whose object never arrived: failed as expired.
 * `stop` (the sweep's deadline) ends it early; the next sweep goes on.
 */
export async function expireTickets(
  deps: RecoveryDeps,
  now: Date,
  stop: () => boolean = () => false,
): Promise<{ expired: number; cutShort: boolean }> {
  const cutoff = new Date(now.getTime() - EXPIRY_GRACE_MS);
  const rows = await deps.db
    .select({ id: trackUploads.id, key: trackUploads.s3Path })
    .from(trackUploads)
    .where(
      and(
        eq(trackUploads.status, "pending"),
        lt(trackUploads.expiresAt, cutoff),
        isNull(trackUploads.objectEtag),
      ),
    );
  let expired = 0;
  let cutShort = false;
  for (const row of rows) {
    if (stop()) {
      cutShort = true;
      break;
    }
    // An object that did land is the reconcile sweep's (its event was lost), not expired.
    if (await deps.objects.head("tracks", row.key)) continue;
    await deps.db
      .update(trackUploads)
      .set({ status: "failed", failureReason: EXPIRED_REASON, updatedAt: now })
      .where(and(eq(trackUploads.id, row.id), eq(trackUploads.status, "pending")));
    expired++;
  }
  if (expired > 0) deps.log.info({ expired }, "expired upload tickets failed");
  return { expired, cutShort };
}

/**
 * The seed's Extract as a sweep: the tracks bucket (prefix u/) compared with
 * etl.s3_file_registry. An object with a pending upload and no registry row lost its
 * event: it is re-driven (an upload already failed or done never is). Objects older than
 * `minAgeMs` only (fresh ones are in flight). Bounded by `maxRedrives` re-drives tried and
 * by `deadline`, not by a count of objects listed: a re-driven object gets its registry row
 * from its Extract, so the next run reaches the objects after it.
 */
export async function reconcile(
  deps: RecoveryDeps,
  redrive: Redrive,
  options: { now?: Date; minAgeMs?: number; maxRedrives?: number; deadline?: number } = {},
): Promise<{ redriven: number; gaveUp: number; errors: number; cutShort: boolean }> {
  const now = options.now ?? new Date();
  const minAge = options.minAgeMs ?? 0;
  const maxRedrives = options.maxRedrives ?? MAX_RECONCILE_REDRIVES;
  const overdue = () => options.deadline !== undefined && Date.now() >= options.deadline;
  const bucket = deps.objects.bucketNames.tracks;
  let batch: { key: string; size: number; etag: string | null }[] = [];
  const result = { redriven: 0, gaveUp: 0, errors: 0, cutShort: false };
  let tried = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const keys = batch.map((o) => o.key);
    const known = new Set(
      (
        await deps.db
          .select({ key: s3FileRegistry.filePath })
          .from(s3FileRegistry)
          .where(and(eq(s3FileRegistry.bucketName, bucket), inArray(s3FileRegistry.filePath, keys)))
      ).map((r) => r.key),
    );
    const pending = new Map(
      (
        await deps.db
          .select({
            key: trackUploads.s3Path,
            id: trackUploads.id,
            attempts: trackUploads.attempts,
          })
          .from(trackUploads)
          .where(
            and(
              inArray(trackUploads.s3Path, keys),
              or(eq(trackUploads.status, "pending"), eq(trackUploads.status, "processing")),
            ),
          )
      ).map((r) => [r.key, r]),
    );
    for (const o of batch) {
      const upload = pending.get(o.key);
      if (known.has(o.key) || !upload) continue;
      if (tried >= maxRedrives || overdue()) {
        result.cutShort = true;
        break;
      }
      tried++;
      deps.log.warn({ key: o.key }, "an uploaded object never reached the pipeline; re-driving it");
      const outcome = await redriveOnce(
        deps,
        redrive,
        { bucket: "tracks", key: o.key, size: o.size, etag: o.etag },
        { uploadId: upload.id, attempt: upload.attempts + 1 },
        bucket,
      );
      if (outcome === "started") result.redriven++;
      if (outcome === "gave-up") result.gaveUp++;
      if (outcome === "error") result.errors++;
    }
    batch = [];
  };
  for await (const info of deps.objects.list("tracks", "u/")) {
    if (result.cutShort || overdue()) {
      result.cutShort = true;
      break;
    }
    if (info.lastModified && now.getTime() - info.lastModified.getTime() < minAge) continue;
    batch.push({ key: info.key, size: info.size, etag: info.etag });
    if (batch.length >= 500) await flush();
  }
  if (!result.cutShort) await flush();
  return result;
}

/** For monitoring: pending tickets past their expiry (plus grace). */
export async function countExpiredPending(db: Executor, now: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(trackUploads)
    .where(
      and(
        eq(trackUploads.status, "pending"),
        lt(trackUploads.expiresAt, new Date(now.getTime() - EXPIRY_GRACE_MS)),
      ),
    );
  return row?.n ?? 0;
}
