import { and, count, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/types";
import { etlJobs, s3FileRegistry } from "../etl/etl.sql";
import type { SearchDriftReport } from "../search/drift";
import type { ObjectStore } from "../storage/object-store";
import { tracks } from "../track/track.sql";
import { countExpiredPending } from "../upload/lifecycle";
import { trackUploads } from "../upload/upload.sql";
import type { Probe } from "../probe";

/** "1 track has", "3 tracks have": alert titles read as sentences. */
const nOf = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export type Severity = "info" | "warning" | "critical";
export type Category = "health" | "data_quality" | "performance" | "pipeline";

/** One check's verdict. `alert` opens (or keeps open) the alert with this key; `ok` resolves it. */
export interface CheckResult {
  key: string;
  category: Category;
  status: "ok" | "alert" | "skipped";
  severity: Severity;
  title: string;
  detail: Record<string, unknown>;
}

/** Latency and errors of one route over the window, from the analytics store. */
export interface RouteStat {
  method: string;
  route: string;
  requests: number;
  p95Ms: number;
  errorRate: number;
}

export interface Thresholds {
  /** Uploads and registry rows still in flight after this long are stuck. */
  stuckAfterMinutes: number;
  /** Window for performance and pipeline checks (the schedule's period). */
  windowMinutes: number;
  /** Index and catalog may differ by this fraction (writes are indexed after commit). */
  searchDriftRatio: number;
  /** Per-route limits, applied only to routes with at least `minRequests` in the window. */
  minRequests: number;
  maxErrorRate: number;
  maxP95Ms: number;
  /** Objects listed per run when looking for files with no registry row. */
  maxObjectsScanned: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  stuckAfterMinutes: 30,
  windowMinutes: 15,
  searchDriftRatio: 0.01,
  minRequests: 20,
  maxErrorRate: 0.05,
  maxP95Ms: 1500,
  maxObjectsScanned: 10_000,
};

const SAMPLE = 10;
const PROBE_TIMEOUT_MS = 5000;

const ok = (key: string, category: Category, title: string, detail = {}): CheckResult => ({
  key,
  category,
  status: "ok",
  severity: "info",
  title,
  detail,
});

/** Every adapter answers its ping within a few seconds. */
export async function checkHealth(probes: readonly Probe[]): Promise<CheckResult[]> {
  return Promise.all(
    probes.map(async (p): Promise<CheckResult> => {
      const key = `health.${p.name}`;
      const started = performance.now();
      try {
        await Promise.race([
          p.ping(),
          new Promise((_, reject) =>
            setTimeout(
              () => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)),
              PROBE_TIMEOUT_MS,
            ).unref(),
          ),
        ]);
        return ok(key, "health", `${p.name} (${p.adapter}) is up`, {
          adapter: p.adapter,
          latencyMs: Math.round(performance.now() - started),
        });
      } catch (error) {
        return {
          key,
          category: "health",
          status: "alert",
          // The API serves on without search or analytics: worth a warning, not a page.
          severity: p.critical === false ? "warning" : "critical",
          title: `${p.name} (${p.adapter}) is down`,
          detail: {
            adapter: p.adapter,
            error: error instanceof Error ? error.message : String(error),
          },
        };
      }
    }),
  );
}

/** Tracks with no duration, and analysed tracks with no audio features. */
export async function checkTrackQuality(db: Db): Promise<CheckResult[]> {
  const noDuration = or(eq(tracks.durationMs, 0), isNull(tracks.durationMs))!;
  // Files ingested tags-only (INGEST_ANALYSE_AUDIO=false) have no features on purpose: only
  // tracks with a stored file and a decoded sample rate are expected to carry them.
  const noFeatures = and(
    sql`${tracks.filePath} is not null`,
    sql`${tracks.sampleRate} is not null`,
    or(isNull(tracks.tempo), isNull(tracks.energy), isNull(tracks.valence)),
  )!;
  const [missingDuration, missingFeatures] = await Promise.all(
    [noDuration, noFeatures].map(async (where) => {
      const [row] = await db.select({ n: count() }).from(tracks).where(where);
      const sample = await db
        .select({ id: tracks.id, title: tracks.title })
        .from(tracks)
        .where(where)
        .orderBy(tracks.createdAt)
        .limit(SAMPLE);
      return { n: row?.n ?? 0, sample };
    }),
  );
  return [
    missingDuration!.n > 0
      ? {
          key: "data_quality.tracks_missing_duration",
          category: "data_quality",
          status: "alert",
          severity: "warning",
          title: `${nOf(missingDuration!.n, "track has", "tracks have")} no duration`,
          detail: { count: missingDuration!.n, sample: missingDuration!.sample },
        }
      : ok("data_quality.tracks_missing_duration", "data_quality", "Every track has a duration"),
    missingFeatures!.n > 0
      ? {
          key: "data_quality.tracks_missing_features",
          category: "data_quality",
          status: "alert",
          severity: "warning",
          title: `${nOf(missingFeatures!.n, "analysed track has", "analysed tracks have")} no tempo, energy or valence`,
          detail: { count: missingFeatures!.n, sample: missingFeatures!.sample },
        }
      : ok(
          "data_quality.tracks_missing_features",
          "data_quality",
          "Analysed tracks have their features",
        ),
  ];
}

/** Uploads and registry rows still in flight long after the pipeline should have finished. */
export async function checkStuck(db: Db, now: Date, t: Thresholds): Promise<CheckResult[]> {
  const before = new Date(now.getTime() - t.stuckAfterMinutes * 60_000);
  const uploads = await db
    .select({
      id: trackUploads.id,
      file: trackUploads.originalFilename,
      since: trackUploads.updatedAt,
    })
    .from(trackUploads)
    .where(and(eq(trackUploads.status, "processing"), lt(trackUploads.updatedAt, before)))
    .orderBy(trackUploads.updatedAt)
    .limit(SAMPLE + 1);
  const [uploadCount] = await db
    .select({ n: count() })
    .from(trackUploads)
    .where(and(eq(trackUploads.status, "processing"), lt(trackUploads.updatedAt, before)));
  const [registryCount] = await db
    .select({ n: count() })
    .from(s3FileRegistry)
    .where(
      and(
        inArray(s3FileRegistry.status, ["claimed", "processing"]),
        lt(s3FileRegistry.firstSeenAt, before),
      ),
    );
  const registrySample = await db
    .select({ bucket: s3FileRegistry.bucketName, key: s3FileRegistry.filePath })
    .from(s3FileRegistry)
    .where(
      and(
        inArray(s3FileRegistry.status, ["claimed", "processing"]),
        lt(s3FileRegistry.firstSeenAt, before),
      ),
    )
    .limit(SAMPLE);
  const nUploads = uploadCount?.n ?? 0;
  const nExpired = await countExpiredPending(db, now);
  const nRegistry = registryCount?.n ?? 0;
  return [
    nUploads > 0
      ? {
          key: "data_quality.uploads_stuck",
          category: "data_quality",
          status: "alert",
          severity: "warning",
          title: `${nOf(nUploads, "upload", "uploads")} stuck in processing for over ${t.stuckAfterMinutes} minutes`,
          detail: { count: nUploads, sample: uploads.slice(0, SAMPLE) },
        }
      : ok("data_quality.uploads_stuck", "data_quality", "No upload is stuck in processing"),
    nRegistry > 0
      ? {
          key: "data_quality.registry_stuck",
          category: "data_quality",
          status: "alert",
          severity: "warning",
          title: `${nOf(nRegistry, "stored file", "stored files")} claimed but unfinished for over ${t.stuckAfterMinutes} minutes`,
          detail: { count: nRegistry, sample: registrySample },
        }
      : ok("data_quality.registry_stuck", "data_quality", "No registry entry is stuck"),
    nExpired > 0
      ? {
          key: "data_quality.tickets_expired_pending",
          category: "data_quality",
          status: "alert",
          severity: "warning",
          title: `${nOf(nExpired, "upload ticket", "upload tickets")} still pending past expiry: the recovery sweep is not running`,
          detail: { count: nExpired },
        }
      : ok(
          "data_quality.tickets_expired_pending",
          "data_quality",
          "No upload ticket is pending past its expiry",
        ),
  ];
}

const KIND_NAMES: Record<SearchDriftReport["kind"], [string, string]> = {
  track: ["track", "tracks"],
  artist: ["artist", "artists"],
  album: ["album", "albums"],
  playlist: ["public playlist", "public playlists"],
};

/**
 * The search index holds the catalog's documents — tracks, artists, albums, public playlists —
 * as they are now: compared kind by kind and document by document by content digest (not by
 * count), the ones that differ re-synced through the outbox. A kind alerts above its own share.
 */
export async function checkSearchDrift(
  searchDrift: (() => Promise<SearchDriftReport[]>) | undefined,
  t: Thresholds,
): Promise<CheckResult> {
  const key = "data_quality.search_index_drift";
  if (!searchDrift)
    return { ...ok(key, "data_quality", "No search index to compare"), status: "skipped" };
  const reports = await searchDrift();
  const byKind = Object.fromEntries(
    reports.map((r) => [
      r.kind,
      {
        catalog: r.catalog,
        indexed: r.indexed,
        missing: r.missing,
        extra: r.extra,
        outdated: r.stale,
        allowed: Math.floor(r.catalog * t.searchDriftRatio),
        sample: r.sample,
        resyncQueued: r.queued > 0,
      },
    ]),
  );
  const sum = (f: (r: SearchDriftReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const detail = {
    catalog: sum((r) => r.catalog),
    indexed: sum((r) => r.indexed),
    missing: sum((r) => r.missing),
    extra: sum((r) => r.extra),
    outdated: sum((r) => r.stale),
    resyncQueued: reports.some((r) => r.queued > 0),
    byKind,
  };
  const drifted = reports.filter(
    (r) => r.missing + r.extra + r.stale > Math.floor(r.catalog * t.searchDriftRatio),
  );
  if (drifted.length === 0)
    return ok(
      key,
      "data_quality",
      "Search index matches the catalog, document by document",
      detail,
    );
  const parts = drifted.map((r) => {
    const n = r.missing + r.extra + r.stale;
    const [one, many] = KIND_NAMES[r.kind];
    return `${nOf(n, one, many)} (${r.stale} outdated, ${r.missing} missing, ${r.extra} extra)`;
  });
  return {
    key,
    category: "data_quality",
    status: "alert",
    severity: "warning",
    title: `Search documents differ from the catalog: ${parts.join(", ")}; re-sync queued`,
    detail,
  };
}

/** Uploaded files (tracks bucket, prefix u/) that the pipeline never registered. */
export async function checkOrphanObjects(
  db: Db,
  objects: ObjectStore | undefined,
  now: Date,
  t: Thresholds,
): Promise<CheckResult> {
  const key = "data_quality.objects_without_registry";
  if (!objects) return { ...ok(key, "data_quality", "No object store"), status: "skipped" };
  const before = now.getTime() - t.stuckAfterMinutes * 60_000;
  const bucket = objects.bucketNames.tracks;
  const orphans: string[] = [];
  let scanned = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const known = await db
      .select({ key: s3FileRegistry.filePath })
      .from(s3FileRegistry)
      .where(and(eq(s3FileRegistry.bucketName, bucket), inArray(s3FileRegistry.filePath, batch)));
    const seen = new Set(known.map((k) => k.key));
    for (const k of batch) if (!seen.has(k)) orphans.push(k);
    batch = [];
  };
  for await (const info of objects.list("tracks", "u/")) {
    if (++scanned > t.maxObjectsScanned) break;
    // Fresh objects may simply not have reached the pipeline yet.
    if (info.lastModified && info.lastModified.getTime() > before) continue;
    batch.push(info.key);
    if (batch.length >= 500) await flush();
  }
  await flush();
  const detail = {
    scanned: Math.min(scanned, t.maxObjectsScanned),
    count: orphans.length,
    sample: orphans.slice(0, SAMPLE),
  };
  return orphans.length > 0
    ? {
        key,
        category: "data_quality",
        status: "alert",
        severity: "warning",
        title: `${nOf(orphans.length, "uploaded file was", "uploaded files were")} never registered by the pipeline`,
        detail,
      }
    : ok(key, "data_quality", "Every uploaded file is registered", detail);
}

/** Failed pipeline runs in the window. */
export async function checkPipeline(db: Db, now: Date, t: Thresholds): Promise<CheckResult> {
  const since = new Date(now.getTime() - t.windowMinutes * 60_000);
  const rows = await db
    .select({ status: etlJobs.status, n: count() })
    .from(etlJobs)
    .where(sql`${etlJobs.startTime} >= ${since.toISOString()}`)
    .groupBy(etlJobs.status);
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  const failed = by["failed"] ?? 0;
  const total = rows.reduce((s, r) => s + r.n, 0);
  const detail = { windowMinutes: t.windowMinutes, runs: total, failed };
  // A single bad file failing is normal; most of the runs failing is not.
  return total >= 3 && failed / total > 0.5
    ? {
        key: "pipeline.failure_rate",
        category: "pipeline",
        status: "alert",
        severity: "critical",
        title: `${failed} of ${total} pipeline runs failed in the last ${t.windowMinutes} minutes`,
        detail,
      }
    : ok("pipeline.failure_rate", "pipeline", "Pipeline runs are succeeding", detail);
}

/** p95 latency and error rate per route, from the analytics store's request log. */
export async function checkPerformance(
  routeStats: ((since: Date) => Promise<RouteStat[]>) | undefined,
  now: Date,
  t: Thresholds,
): Promise<CheckResult[]> {
  if (!routeStats)
    return [
      {
        ...ok("performance.routes", "performance", "No analytics store to read"),
        status: "skipped",
      },
    ];
  const since = new Date(now.getTime() - t.windowMinutes * 60_000);
  const stats = await routeStats(since);
  const results: CheckResult[] = [];
  let worstP95 = 0;
  for (const s of stats) {
    worstP95 = Math.max(worstP95, s.p95Ms);
    if (s.requests < t.minRequests) continue;
    const id = `${s.method} ${s.route}`;
    if (s.errorRate > t.maxErrorRate)
      results.push({
        key: `performance.error_rate:${id}`,
        category: "performance",
        status: "alert",
        severity: "critical",
        title: `${id}: ${(s.errorRate * 100).toFixed(1)} % server errors in the last ${t.windowMinutes} minutes`,
        detail: { ...s },
      });
    if (s.p95Ms > t.maxP95Ms)
      results.push({
        key: `performance.p95:${id}`,
        category: "performance",
        status: "alert",
        severity: "warning",
        title: `${id}: p95 ${Math.round(s.p95Ms)} ms over ${t.maxP95Ms} ms`,
        detail: { ...s },
      });
  }
  results.push(
    ok("performance.routes", "performance", "Route latency and errors checked", {
      routes: stats.length,
      requests: stats.reduce((n, s) => n + s.requests, 0),
      worstP95Ms: Math.round(worstP95),
      stats: stats.slice(0, 50),
    }),
  );
  return results;
}
