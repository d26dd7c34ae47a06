import { API_URL } from "../config";
import { http, session } from "../api/client";

export interface ListenEvent {
  trackId: string;
  playDurationMs: number;
  /** 0–100: how far into the track playback got. */
  completionPercentage: number;
  platform: "web";
  deviceType: "desktop" | "mobile" | "tablet";
}

/** A listen waiting to be acknowledged by the API; the key makes every retry of it safe. */
export interface PendingListen {
  key: string;
  event: ListenEvent;
}

export type ReportListen = (
  event: ListenEvent,
  opts: { unloading?: boolean; idempotencyKey: string },
) => Promise<void>;

export function deviceType(): ListenEvent["deviceType"] {
  const ua = typeof navigator !== "undefined" ? navigator.userAgent : "";
  if (/iPad|Tablet/i.test(ua)) return "tablet";
  if (/Mobi|Android|iPhone/i.test(ua)) return "mobile";
  return "desktop";
}

/** A random UUID, also on plain-http origins where crypto.randomUUID is missing. */
export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function")
    return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const PATH = "/api/v1/analytics/listen";

/**
 * POST /api/v1/analytics/listen with an `Idempotency-Key`: a retry of the same play is answered
 * with the first answer and never counted twice. Anonymous listens are not recorded (the API
 * needs a user). While the page unloads, a keepalive fetch outlives it (sendBeacon cannot carry
 * a token or a header).
 */
export const reportListen: ReportListen = async (event, opts) => {
  if (!session.current) return; // anonymous: nothing to record
  const headers = { "Idempotency-Key": opts.idempotencyKey };
  if (opts.unloading && session.token) {
    const res = await fetch(`${API_URL}${PATH}`, {
      method: "POST",
      keepalive: true,
      headers: {
        ...headers,
        "Content-Type": "application/json",
        Authorization: `Bearer ${session.token}`,
      },
      body: JSON.stringify(event),
    });
    if (!res.ok && res.status >= 500) throw new Error(`listen not recorded: ${res.status}`);
    return;
  }
  await http.post(PATH, event, { headers });
};

const OUTBOX_KEY = "jonquils.pendingListens";
const CHECKPOINT_KEY = "jonquils.listenInProgress";
/** Older unsent listens are dropped (the API would refuse them as stale anyway). */
const MAX_PENDING = 50;

function read<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage disabled or full: the listen lives only in memory
  }
}

/**
 * Listens survive the page: each finished listen waits in localStorage until the API
 * acknowledges it, and the listen in progress is checkpointed so a page killed without
 * `pagehide` (a crash, a frozen background tab) still reports it on the next visit.
 */
export const listenOutbox = {
  pending(): PendingListen[] {
    const list = read<PendingListen[]>(OUTBOX_KEY);
    return Array.isArray(list) ? list : [];
  },
  add(item: PendingListen): void {
    const list = this.pending().filter((p) => p.key !== item.key);
    list.push(item);
    write(OUTBOX_KEY, list.slice(-MAX_PENDING));
  },
  remove(key: string): void {
    const list = this.pending().filter((p) => p.key !== key);
    write(OUTBOX_KEY, list.length ? list : null);
  },
  checkpoint(item: PendingListen | null): void {
    write(CHECKPOINT_KEY, item);
  },
  /** The listen a previous page left in progress, moved to the outbox. */
  recoverCheckpoint(): void {
    const item = read<PendingListen>(CHECKPOINT_KEY);
    write(CHECKPOINT_KEY, null);
    if (item?.key && item.event?.trackId) this.add(item);
  },
};

/** Sends one listen and forgets it once acknowledged (or refused as bad input: never retried). */
export async function deliver(
  report: ReportListen,
  item: PendingListen,
  unloading = false,
): Promise<void> {
  listenOutbox.add(item);
  try {
    await report(item.event, { unloading, idempotencyKey: item.key });
    listenOutbox.remove(item.key);
  } catch (error) {
    const status = (error as { response?: { status?: number } }).response?.status;
    if (status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 429)
      listenOutbox.remove(item.key);
    // otherwise it stays for the next attempt, under the same key
  }
}

/** Retries every listen still waiting (after a reload, a sign-in, or coming back online). */
export async function drainOutbox(report: ReportListen): Promise<void> {
  for (const item of listenOutbox.pending()) await deliver(report, item);
}
