import { API_URL } from "../config";
import { http, session } from "../api/client";
import type { Track } from "../api/types";

export type Repeat = "off" | "all" | "one";

/** What the player needs to pick up where it left off. */
export interface SavedQueue {
  tracks: Track[];
  index: number;
  positionMs: number;
  shuffle: boolean;
  repeat: Repeat;
  /** The queue's order before shuffling (track ids), to restore when shuffle is turned off. */
  unshuffled?: string[];
  /** ms since epoch: the newer of the local and the server copy wins. */
  savedAt: number;
}

/** Where a queue is kept: this browser, or the account (shared with the player apps). */
export interface QueueStore {
  load(): Promise<SavedQueue | null>;
  save(queue: SavedQueue, opts?: { unloading?: boolean }): void;
}

const KEY = "jonquils.playQueue";
const MAX_TRACKS = 500;

/** This browser's copy (localStorage): instant, and works signed out. */
export const localQueueStore: QueueStore & { loadNow(): SavedQueue | null } = {
  loadNow() {
    try {
      const raw = localStorage.getItem(KEY);
      if (!raw) return null;
      const q = JSON.parse(raw) as SavedQueue;
      if (!Array.isArray(q.tracks) || typeof q.index !== "number") return null;
      return {
        ...q,
        index: Math.min(Math.max(0, q.index), Math.max(0, q.tracks.length - 1)),
        positionMs: Math.max(0, Number(q.positionMs) || 0),
        shuffle: Boolean(q.shuffle),
        repeat: q.repeat === "all" || q.repeat === "one" ? q.repeat : "off",
      };
    } catch {
      return null;
    }
  },
  load() {
    return Promise.resolve(this.loadNow());
  },
  save(queue) {
    try {
      if (queue.tracks.length === 0) localStorage.removeItem(KEY);
      else
        localStorage.setItem(
          KEY,
          JSON.stringify({ ...queue, tracks: queue.tracks.slice(0, MAX_TRACKS) }),
        );
    } catch {
      // storage disabled or full
    }
  },
};

interface ServerPlayQueue {
  trackIds: string[];
  currentIndex: number | null;
  positionMs: number;
  changedBy: string;
  updatedAt: string;
  tracks: Track[];
}

const PATH = "/api/v1/me/play-queue";

/**
 * The account's queue (GET/PUT /api/v1/me/play-queue), shared with Subsonic player apps:
 * a queue left on another device is picked up here. Shuffle and repeat stay per browser.
 */
export const serverQueueStore: QueueStore = {
  async load() {
    if (!session.current) return null;
    const { data } = await http.get<ServerPlayQueue>(PATH);
    if (!data.tracks.length) return null;
    return {
      tracks: data.tracks,
      index: data.currentIndex ?? 0,
      positionMs: data.positionMs,
      shuffle: false,
      repeat: "off",
      savedAt: Date.parse(data.updatedAt) || 0,
    };
  },
  save(queue, opts) {
    if (!session.current) return;
    const body = {
      trackIds: queue.tracks.slice(0, MAX_TRACKS).map((t) => t.id),
      currentIndex: queue.tracks.length ? Math.min(queue.index, MAX_TRACKS - 1) : null,
      positionMs: Math.min(Math.round(queue.positionMs), 24 * 3600 * 1000),
      changedBy: "web",
    };
    if (opts?.unloading && session.token) {
      void fetch(`${API_URL}${PATH}`, {
        method: "PUT",
        keepalive: true,
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${session.token}` },
        body: JSON.stringify(body),
      }).catch(() => undefined);
      return;
    }
    void http.put(PATH, body).catch(() => undefined); // the local copy still has it
  },
};

/** Fisher–Yates. */
export function shuffled<T>(items: T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
