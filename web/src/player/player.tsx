import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";
import { coverSrc, streamSrc } from "../api/endpoints";
import type { Track } from "../api/types";
import { deviceType, reportListen, type ReportListen } from "./listen";

export interface Player {
  queue: Track[];
  index: number;
  current: Track | null;
  playing: boolean;
  /** Seconds into the current track. */
  position: number;
  /** Seconds; 0 until known. */
  duration: number;
  volume: number;
  muted: boolean;
  error: string | null;
  playTracks: (tracks: Track[], start?: number) => void;
  enqueue: (track: Track) => void;
  toggle: () => void;
  next: () => void;
  previous: () => void;
  seek: (seconds: number) => void;
  setVolume: (volume: number) => void;
  toggleMute: () => void;
  jumpTo: (index: number) => void;
  removeAt: (index: number) => void;
}

const PlayerContext = createContext<Player | null>(null);

export function usePlayer(): Player {
  const player = useContext(PlayerContext);
  if (!player) throw new Error("usePlayer outside PlayerProvider");
  return player;
}

const VOLUME_KEY = "jonquils.volume";
/** Listens shorter than this are not reported (a skip, not a listen). */
export const MIN_REPORTED_MS = 1000;

interface ListenProgress {
  trackId: string | null;
  playedMs: number;
  maxPosition: number;
  duration: number;
  last: number | null;
  ended: boolean;
}

const freshProgress = (trackId: string | null): ListenProgress => ({
  trackId,
  playedMs: 0,
  maxPosition: 0,
  duration: 0,
  last: null,
  ended: false,
});

function initialVolume(): number {
  try {
    const v = Number(localStorage.getItem(VOLUME_KEY));
    return localStorage.getItem(VOLUME_KEY) !== null && v >= 0 && v <= 1 ? v : 0.8;
  } catch {
    return 0.8;
  }
}

/**
 * One <audio> element for the whole app: the queue survives navigation. Streams through the
 * API's stream URL (a redirect to a signed URL serving Range), and reports each listen —
 * the time actually played (seeks excluded) and how far it got — when the track changes,
 * ends or the page goes away.
 */
export function PlayerProvider({
  children,
  report = reportListen,
}: {
  children: ReactNode;
  report?: ReportListen;
}) {
  const audioRef = useRef<HTMLAudioElement>(null);
  const [queue, setQueue] = useState<Track[]>([]);
  const [index, setIndex] = useState(-1);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [duration, setDuration] = useState(0);
  const [volume, setVolumeState] = useState(initialVolume);
  const [muted, setMuted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const progress = useRef<ListenProgress>(freshProgress(null));
  const wantPlay = useRef(false);
  const reportRef = useRef(report);
  reportRef.current = report;

  const current = index >= 0 ? (queue[index] ?? null) : null;
  const currentRef = useRef(current);
  currentRef.current = current;

  const flush = useCallback((unloading = false) => {
    const p = progress.current;
    progress.current = freshProgress(null);
    if (!p.trackId || p.playedMs < MIN_REPORTED_MS) return;
    const completion = p.ended
      ? 100
      : p.duration > 0
        ? Math.min(100, Math.round((p.maxPosition / p.duration) * 1000) / 10)
        : 0;
    reportRef
      .current(
        {
          trackId: p.trackId,
          playDurationMs: Math.round(p.playedMs),
          completionPercentage: completion,
          platform: "web",
          deviceType: deviceType(),
        },
        { unloading },
      )
      .catch(() => undefined); // a lost listen event must never interrupt playback
  }, []);

  // Load the current track (and report the previous one).
  useEffect(() => {
    const audio = audioRef.current;
    if (!audio) return;
    if (progress.current.trackId !== (current?.id ?? null)) flush();
    if (!current) {
      audio.removeAttribute("src");
      setPlaying(false);
      return;
    }
    progress.current = freshProgress(current.id);
    setError(null);
    setPosition(0);
    setDuration(current.durationMs / 1000);
    audio.src = streamSrc(current);
    if (wantPlay.current) {
      audio.play().catch((e: unknown) => {
        if (e instanceof DOMException && e.name === "AbortError") return;
        setPlaying(false);
      });
    }
  }, [current, flush]);

  useEffect(() => {
    const audio = audioRef.current;
    if (!audio) return;
    audio.volume = volume;
    audio.muted = muted;
  }, [volume, muted]);

  // Report what was heard when the page is hidden or closed.
  useEffect(() => {
    const onHide = () => {
      if (document.visibilityState === "hidden" || !document.visibilityState) flush(true);
    };
    window.addEventListener("pagehide", onHide);
    return () => window.removeEventListener("pagehide", onHide);
  }, [flush]);

  const onTimeUpdate = () => {
    const audio = audioRef.current!;
    const t = audio.currentTime;
    if (progress.current.trackId === null && current) progress.current = freshProgress(current.id);
    const p = progress.current;
    if (!audio.paused && p.last !== null) {
      const delta = t - p.last;
      if (delta > 0 && delta < 2) p.playedMs += delta * 1000;
    }
    p.last = t;
    p.maxPosition = Math.max(p.maxPosition, t);
    if (Number.isFinite(audio.duration) && audio.duration > 0) p.duration = audio.duration;
    else if (current) p.duration = current.durationMs / 1000;
    setPosition(t);
  };

  const playTracks = useCallback((tracks: Track[], start = 0) => {
    const playable = tracks.filter((t) => t.hasAudio);
    const first = tracks[start];
    const at = first ? Math.max(0, playable.indexOf(first)) : 0;
    if (playable.length === 0) return;
    wantPlay.current = true;
    setQueue(playable);
    setIndex(at);
    setPlaying(true);
    // Same track again: the effect does not run, so start it here.
    const audio = audioRef.current;
    if (audio && currentRef.current?.id === playable[at]?.id) {
      audio.currentTime = 0;
      void audio.play().catch(() => setPlaying(false));
    }
  }, []);

  const enqueue = useCallback((track: Track) => {
    if (!track.hasAudio) return;
    setQueue((q) => [...q, track]);
    setIndex((i) => (i < 0 ? 0 : i));
  }, []);

  const toggle = useCallback(() => {
    const audio = audioRef.current;
    if (!audio || !current) return;
    if (audio.paused) {
      wantPlay.current = true;
      audio.play().catch(() => setPlaying(false));
    } else {
      wantPlay.current = false;
      audio.pause();
    }
  }, [current]);

  const next = useCallback(() => {
    setIndex((i) => (i + 1 < queue.length ? i + 1 : i));
  }, [queue.length]);

  const previous = useCallback(() => {
    const audio = audioRef.current;
    if (audio && audio.currentTime > 3) {
      audio.currentTime = 0;
      return;
    }
    setIndex((i) => (i > 0 ? i - 1 : i));
  }, []);

  const seek = useCallback(
    (seconds: number) => {
      const audio = audioRef.current;
      if (!audio || !current) return;
      const max = Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : duration;
      const t = Math.max(0, Math.min(max || 0, seconds));
      progress.current.last = null; // a jump is not listening time
      audio.currentTime = t;
      setPosition(t);
    },
    [current, duration],
  );

  const setVolume = useCallback((v: number) => {
    const clamped = Math.max(0, Math.min(1, Math.round(v * 100) / 100));
    setVolumeState(clamped);
    setMuted(false);
    try {
      localStorage.setItem(VOLUME_KEY, String(clamped));
    } catch {
      // not persisted
    }
  }, []);

  const toggleMute = useCallback(() => setMuted((m) => !m), []);

  const jumpTo = useCallback((i: number) => {
    wantPlay.current = true;
    setIndex(i);
    setPlaying(true);
  }, []);

  const removeAt = useCallback(
    (i: number) => {
      setQueue((q) => q.filter((_, j) => j !== i));
      setIndex((cur) => (i < cur ? cur - 1 : i === cur ? Math.min(cur, queue.length - 2) : cur));
    },
    [queue.length],
  );

  // Media Session: lock screen, headset buttons and OS media keys.
  useEffect(() => {
    const ms = typeof navigator !== "undefined" ? navigator.mediaSession : undefined;
    if (!ms || !current) return;
    if (typeof MediaMetadata !== "undefined") {
      ms.metadata = new MediaMetadata({
        title: current.title,
        artist: current.artist.name,
        album: current.album?.title ?? "",
        artwork: current.coverUrl
          ? [{ src: coverSrc(current, 300), sizes: "300x300", type: "image/webp" }]
          : [],
      });
    }
    const handlers: [MediaSessionAction, MediaSessionActionHandler][] = [
      ["play", () => toggle()],
      ["pause", () => toggle()],
      ["nexttrack", () => next()],
      ["previoustrack", () => previous()],
      ["seekto", (d) => d.seekTime !== undefined && seek(d.seekTime)],
    ];
    for (const [action, handler] of handlers) {
      try {
        ms.setActionHandler(action, handler);
      } catch {
        // this action is not supported by the browser
      }
    }
  }, [current, toggle, next, previous, seek]);

  useEffect(() => {
    if (typeof navigator !== "undefined" && navigator.mediaSession && current) {
      navigator.mediaSession.playbackState = playing ? "playing" : "paused";
    }
  }, [playing, current]);

  // Keyboard shortcuts (not while typing in a field).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      const tag = target?.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target?.isContentEditable)
        return;
      const onControl = tag === "BUTTON" || tag === "A" || tag === "SUMMARY";
      const audio = audioRef.current;
      switch (e.key) {
        case " ":
          if (onControl) return;
          toggle();
          break;
        case "k":
          toggle();
          break;
        case "ArrowRight":
        case "l":
          if (e.shiftKey) next();
          else seek((audio?.currentTime ?? 0) + 10);
          break;
        case "ArrowLeft":
        case "j":
          if (e.shiftKey) previous();
          else seek((audio?.currentTime ?? 0) - 10);
          break;
        case "n":
          next();
          break;
        case "p":
          previous();
          break;
        case "m":
          toggleMute();
          break;
        case "ArrowUp":
          setVolume(volume + 0.1);
          break;
        case "ArrowDown":
          setVolume(volume - 0.1);
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [toggle, next, previous, seek, toggleMute, setVolume, volume]);

  const value = useMemo<Player>(
    () => ({
      queue,
      index,
      current,
      playing,
      position,
      duration,
      volume,
      muted,
      error,
      playTracks,
      enqueue,
      toggle,
      next,
      previous,
      seek,
      setVolume,
      toggleMute,
      jumpTo,
      removeAt,
    }),
    [
      queue,
      index,
      current,
      playing,
      position,
      duration,
      volume,
      muted,
      error,
      playTracks,
      enqueue,
      toggle,
      next,
      previous,
      seek,
      setVolume,
      toggleMute,
      jumpTo,
      removeAt,
    ],
  );

  return (
    <PlayerContext.Provider value={value}>
      {children}
      <audio
        ref={audioRef}
        preload="metadata"
        data-testid="audio"
        onPlay={() => {
          // Listening time counts from here (a resume, or the very start).
          progress.current.last = audioRef.current?.currentTime ?? 0;
          setPlaying(true);
        }}
        onPause={() => setPlaying(false)}
        onTimeUpdate={onTimeUpdate}
        onSeeked={() => {
          progress.current.last = audioRef.current?.currentTime ?? null;
        }}
        onLoadedMetadata={() => {
          const d = audioRef.current?.duration;
          if (d && Number.isFinite(d)) setDuration(d);
        }}
        onEnded={() => {
          progress.current.ended = true;
          if (index + 1 < queue.length) {
            wantPlay.current = true;
            setIndex(index + 1);
          } else {
            flush();
            setPlaying(false);
          }
        }}
        onError={() => {
          if (!current) return;
          setError(`“${current.title}” cannot be played right now.`);
          setPlaying(false);
        }}
      />
    </PlayerContext.Provider>
  );
}
