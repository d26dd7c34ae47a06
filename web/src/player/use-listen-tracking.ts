import { useCallback, useEffect, useRef, type RefObject } from "react";
import {
  deliver,
  deviceType,
  listenOutbox,
  newIdempotencyKey,
  type PendingListen,
  type ReportListen,
} from "./listen";

/** Listens shorter than this are not reported (a skip, not a listen). */
export const MIN_REPORTED_MS = 1000;
/** How often the listen in progress is checkpointed to localStorage while playing. */
const CHECKPOINT_MS = 3000;

interface ListenProgress {
  key: string;
  trackId: string | null;
  playedMs: number;
  maxPosition: number;
  duration: number;
  last: number | null;
  ended: boolean;
  checkpointedAt: number;
}

const fresh = (trackId: string | null): ListenProgress => ({
  key: newIdempotencyKey(),
  trackId,
  playedMs: 0,
  maxPosition: 0,
  duration: 0,
  last: null,
  ended: false,
  checkpointedAt: 0,
});

function toPending(p: ListenProgress): PendingListen | null {
  if (!p.trackId || p.playedMs < MIN_REPORTED_MS) return null;
  const completion = p.ended
    ? 100
    : p.duration > 0
      ? Math.min(100, Math.round((p.maxPosition / p.duration) * 1000) / 10)
      : 0;
  return {
    key: p.key,
    event: {
      trackId: p.trackId,
      playDurationMs: Math.round(p.playedMs),
      completionPercentage: completion,
      platform: "web",
      deviceType: deviceType(),
    },
  };
}

export interface ListenTracking {
  /** Reports what was heard of the current track (if anything) and starts afresh. */
  flush: (unloading?: boolean) => void;
  /** Starts counting for a newly loaded track (reporting the previous one); `seconds` until the audio knows. */
  begin: (trackId: string | null, seconds?: number) => void;
  onPlay: () => void;
  onTimeUpdate: () => void;
  onSeeked: () => void;
  /** A jump is not listening time. */
  onSeekStart: () => void;
  onEnded: () => void;
}

/**
 * Counts the time actually heard (seeks excluded) and how far playback got, and reports each
 * listen once — when the track changes or ends, and when the page goes away: on `pagehide`
 * (reload, navigation, closing the tab), and on `visibilitychange` to hidden when nothing is
 * playing. Each listen carries its own idempotency key and waits in an outbox until the API
 * acknowledges it, so a retry after a reload or a network failure never counts it twice.
 */
export function useListenTracking(
  audioRef: RefObject<HTMLAudioElement | null>,
  report: ReportListen,
): ListenTracking {
  const progress = useRef<ListenProgress>(fresh(null));
  const reportRef = useRef(report);
  reportRef.current = report;

  const flush = useCallback(
    (unloading = false) => {
      const item = toPending(progress.current);
      const trackId = progress.current.trackId;
      progress.current = fresh(trackId);
      progress.current.last = audioRef.current?.paused
        ? null
        : (audioRef.current?.currentTime ?? null);
      listenOutbox.checkpoint(null);
      if (item) void deliver(reportRef.current, item, unloading);
    },
    [audioRef],
  );

  const begin = useCallback(
    (trackId: string | null, seconds = 0) => {
      if (progress.current.trackId !== trackId) flush();
      progress.current = fresh(trackId);
      progress.current.duration = seconds;
    },
    [flush],
  );

  useEffect(() => {
    const onPageHide = () => flush(true);
    const onVisibility = () => {
      if (document.visibilityState !== "hidden") return;
      const audio = audioRef.current;
      if (!audio || audio.paused) flush(true);
      else listenOutbox.checkpoint(toPending(progress.current)); // still playing: keep counting
    };
    window.addEventListener("pagehide", onPageHide);
    window.addEventListener("beforeunload", onPageHide);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.removeEventListener("pagehide", onPageHide);
      window.removeEventListener("beforeunload", onPageHide);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [flush, audioRef]);

  const onTimeUpdate = useCallback(() => {
    const audio = audioRef.current;
    if (!audio) return;
    const t = audio.currentTime;
    const p = progress.current;
    if (!audio.paused && p.last !== null) {
      const delta = t - p.last;
      if (delta > 0 && delta < 2) p.playedMs += delta * 1000;
    }
    p.last = t;
    p.maxPosition = Math.max(p.maxPosition, t);
    if (Number.isFinite(audio.duration) && audio.duration > 0) p.duration = audio.duration;
    const now = Date.now();
    if (now - p.checkpointedAt >= CHECKPOINT_MS) {
      p.checkpointedAt = now;
      const item = toPending(p);
      if (item) listenOutbox.checkpoint(item);
    }
  }, [audioRef]);

  return {
    flush,
    begin,
    onTimeUpdate,
    onPlay: useCallback(() => {
      progress.current.last = audioRef.current?.currentTime ?? 0;
    }, [audioRef]),
    onSeeked: useCallback(() => {
      progress.current.last = audioRef.current?.currentTime ?? null;
    }, [audioRef]),
    onSeekStart: useCallback(() => {
      progress.current.last = null;
    }, []),
    onEnded: useCallback(() => {
      progress.current.ended = true;
      flush();
    }, [flush]),
  };
}
