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
import { session } from "../api/client";
import { streamSrc } from "../api/endpoints";
import type { Track } from "../api/types";
import { drainOutbox, listenOutbox, reportListen, type ReportListen } from "./listen";
import {
  localQueueStore,
  serverQueueStore,
  shuffled,
  type QueueStore,
  type Repeat,
  type SavedQueue,
} from "./queue-store";
import { useListenTracking } from "./use-listen-tracking";
import { useMediaSession } from "./use-media-session";
import { usePlayerShortcuts } from "./use-shortcuts";

export { MIN_REPORTED_MS } from "./use-listen-tracking";
export type { Repeat } from "./queue-store";

export interface Player {
  queue: Track[];
  index: number;
  current: Track | null;
  playing: boolean;
  volume: number;
  muted: boolean;
  /** "Normalize volume": each track's ReplayGain (`trackGainDb`) applied when the API sends it. */
  normalize: boolean;
  /** The gain applied to the current track now, in dB (null: none — off, or not measured). */
  appliedGainDb: number | null;
  shuffle: boolean;
  repeat: Repeat;
  error: string | null;
  playTracks: (tracks: Track[], start?: number) => void;
  enqueue: (track: Track) => void;
  toggle: () => void;
  next: () => void;
  previous: () => void;
  seek: (seconds: number) => void;
  setVolume: (volume: number) => void;
  toggleMute: () => void;
  toggleNormalize: () => void;
  toggleShuffle: () => void;
  /** off → all → one → off. */
  cycleRepeat: () => void;
  jumpTo: (index: number) => void;
  removeAt: (index: number) => void;
}

/** Where playback is: its own context, so only what shows it re-renders four times a second. */
export interface PlayerPosition {
  /** Seconds into the current track. */
  position: number;
  /** Seconds; 0 until known. */
  duration: number;
}

const PlayerContext = createContext<Player | null>(null);
const PositionContext = createContext<PlayerPosition>({ position: 0, duration: 0 });

export function usePlayer(): Player {
  const player = useContext(PlayerContext);
  if (!player) throw new Error("usePlayer outside PlayerProvider");
  return player;
}

export const usePlayerPosition = () => useContext(PositionContext);

const VOLUME_KEY = "jonquils.volume";
const NORMALIZE_KEY = "jonquils.normalize";

/**
 * The element volume for a slider position and a track gain: 10^(dB/20) scales the amplitude.
 * An <audio> element cannot go above 1, so a quiet track's positive gain is capped there.
 */
export function gainedVolume(volume: number, gainDb: number | null): number {
  const factor = gainDb === null ? 1 : 10 ** (gainDb / 20);
  return Math.min(1, Math.max(0, volume * factor));
}

/** The track's gain when normalising and the API measured one (older servers send none). */
export function trackGain(track: Track | null, normalize: boolean): number | null {
  const gain = (track as { trackGainDb?: unknown } | null)?.trackGainDb;
  return normalize && typeof gain === "number" && Number.isFinite(gain) ? gain : null;
}

function initialNormalize(): boolean {
  try {
    return localStorage.getItem(NORMALIZE_KEY) === "1";
  } catch {
    return false;
  }
}
/** The position is saved at most this often while playing (and on leaving the page). */
const SAVE_POSITION_MS = 5000;

function initialVolume(): number {
  try {
    const v = Number(localStorage.getItem(VOLUME_KEY));
    return localStorage.getItem(VOLUME_KEY) !== null && v >= 0 && v <= 1 ? v : 0.8;
  } catch {
    return 0.8;
  }
}

/** Reorders for shuffle: the current track first, the rest in random order. */
function shuffleAround(queue: Track[], index: number): Track[] {
  const current = queue[index];
  const rest = queue.filter((_, i) => i !== index);
  return current ? [current, ...shuffled(rest)] : shuffled(rest);
}

/**
 * One <audio> element for the whole app: the queue survives navigation and reloads (saved in
 * this browser and, signed in, to the account's play queue). Streams through the API's stream
 * URL (a redirect to a signed URL serving Range); listens are counted and reported by
 * useListenTracking, the OS media controls by useMediaSession, the keys by usePlayerShortcuts.
 */
export function PlayerProvider({
  children,
  report = reportListen,
  stores = [localQueueStore, serverQueueStore],
}: {
  children: ReactNode;
  report?: ReportListen;
  /** Local first (read synchronously on start), then the account's; the newest copy wins. */
  stores?: QueueStore[];
}) {
  const audioRef = useRef<HTMLAudioElement>(null);
  const restored = useRef<SavedQueue | null>(localQueueStore.loadNow());
  const [queue, setQueue] = useState<Track[]>(restored.current?.tracks ?? []);
  const [index, setIndex] = useState(restored.current ? restored.current.index : -1);
  const [shuffle, setShuffle] = useState(restored.current?.shuffle ?? false);
  const [repeat, setRepeat] = useState<Repeat>(restored.current?.repeat ?? "off");
  const unshuffled = useRef<string[] | undefined>(restored.current?.unshuffled);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState((restored.current?.positionMs ?? 0) / 1000);
  const [duration, setDuration] = useState(0);
  const [volume, setVolumeState] = useState(initialVolume);
  const [muted, setMuted] = useState(false);
  const [normalize, setNormalize] = useState(initialNormalize);
  const [error, setError] = useState<string | null>(null);
  const wantPlay = useRef(false);
  /** Seconds to seek to once the restored track's metadata is known. */
  const resumeAt = useRef<number | null>(
    restored.current ? restored.current.positionMs / 1000 : null,
  );
  const listens = useListenTracking(audioRef, report);

  const current = index >= 0 ? (queue[index] ?? null) : null;
  const currentRef = useRef(current);
  currentRef.current = current;

  // --- persistence ---------------------------------------------------------------------------
  const snapshot = useCallback(
    (): SavedQueue => ({
      tracks: queue,
      index: Math.max(0, index),
      positionMs: Math.round((audioRef.current?.currentTime ?? 0) * 1000),
      shuffle,
      repeat,
      unshuffled: unshuffled.current,
      savedAt: Date.now(),
    }),
    [queue, index, shuffle, repeat],
  );
  const snapshotRef = useRef(snapshot);
  snapshotRef.current = snapshot;
  const storesRef = useRef(stores);
  storesRef.current = stores;
  const lastSaved = useRef(0);
  const save = useCallback((unloading = false) => {
    lastSaved.current = Date.now();
    const s = snapshotRef.current();
    for (const store of storesRef.current) store.save(s, { unloading });
  }, []);
  const loadedFromStores = useRef(false);

  // The account's queue, when newer than this browser's (left on another device or app).
  useEffect(() => {
    let cancelled = false;
    const pick = async () => {
      for (const store of storesRef.current) {
        if (store === localQueueStore) continue;
        const remote = await store.load().catch(() => null);
        if (cancelled || !remote || wantPlay.current) continue;
        const local = restored.current;
        if (local && local.savedAt >= remote.savedAt) continue;
        restored.current = remote;
        resumeAt.current = remote.positionMs / 1000;
        setQueue(remote.tracks);
        setIndex(Math.min(remote.index, remote.tracks.length - 1));
      }
      loadedFromStores.current = true;
    };
    const start = () => void pick();
    if (session.current) start();
    else if (session.refreshing) void session.refreshing.then(start);
    else loadedFromStores.current = true;
    const stop = session.subscribe((user) => {
      if (user) void drainOutbox(report);
    });
    listenOutbox.recoverCheckpoint();
    if (session.current) void drainOutbox(report);
    return () => {
      cancelled = true;
      stop();
    };
  }, []); // once, on mount

  // Save on every change of the queue, the track or the modes.
  const firstSave = useRef(true);
  useEffect(() => {
    if (firstSave.current) {
      firstSave.current = false;
      return;
    }
    save();
  }, [queue, index, shuffle, repeat, save]);

  useEffect(() => {
    const onHide = () => save(true);
    window.addEventListener("pagehide", onHide);
    return () => window.removeEventListener("pagehide", onHide);
  }, [save]);

  // --- loading the current track ---------------------------------------------------------------
  useEffect(() => {
    const audio = audioRef.current;
    if (!audio) return;
    listens.begin(current?.id ?? null, (current?.durationMs ?? 0) / 1000);
    if (!current) {
      audio.removeAttribute("src");
      setPlaying(false);
      return;
    }
    setError(null);
    setDuration(current.durationMs / 1000);
    if (resumeAt.current === null) setPosition(0);
    audio.src = streamSrc(current);
    if (wantPlay.current) {
      audio.play().catch((e: unknown) => {
        if (e instanceof DOMException && e.name === "AbortError") return;
        setPlaying(false);
      });
    }
  }, [current]); // listens is stable

  const appliedGainDb = trackGain(current, normalize);
  useEffect(() => {
    const audio = audioRef.current;
    if (!audio) return;
    audio.volume = gainedVolume(volume, appliedGainDb);
    audio.muted = muted;
  }, [volume, muted, appliedGainDb]);

  const toggleNormalize = useCallback(() => {
    setNormalize((on) => {
      try {
        localStorage.setItem(NORMALIZE_KEY, on ? "0" : "1");
      } catch {
        // private mode: the choice lasts this visit
      }
      return !on;
    });
  }, []);

  // --- controls ----------------------------------------------------------------------------------
  const playTracks = useCallback(
    (tracks: Track[], start = 0) => {
      const playable = tracks.filter((t) => t.hasAudio);
      const first = tracks[start];
      let at = first ? Math.max(0, playable.indexOf(first)) : 0;
      if (playable.length === 0) return;
      let order = playable;
      if (shuffle) {
        unshuffled.current = playable.map((t) => t.id);
        order = shuffleAround(playable, at);
        at = 0;
      } else unshuffled.current = undefined;
      wantPlay.current = true;
      resumeAt.current = null;
      setQueue(order);
      setIndex(at);
      setPlaying(true);
      // Same track again: the effect does not run, so start it here.
      const audio = audioRef.current;
      if (audio && currentRef.current?.id === order[at]?.id) {
        audio.currentTime = 0;
        void audio.play().catch(() => setPlaying(false));
      }
    },
    [shuffle],
  );

  const enqueue = useCallback((track: Track) => {
    if (!track.hasAudio) return;
    setQueue((q) => [...q, track]);
    unshuffled.current = unshuffled.current && [...unshuffled.current, track.id];
    setIndex((i) => (i < 0 ? 0 : i));
  }, []);

  const play = useCallback(() => {
    const audio = audioRef.current;
    if (!audio || !currentRef.current) return;
    wantPlay.current = true;
    audio.play().catch(() => setPlaying(false));
  }, []);

  const pause = useCallback(() => {
    wantPlay.current = false;
    audioRef.current?.pause();
  }, []);

  const toggle = useCallback(() => {
    const audio = audioRef.current;
    if (!audio || !currentRef.current) return;
    if (audio.paused) play();
    else pause();
  }, [play, pause]);

  const next = useCallback(() => {
    resumeAt.current = null;
    setIndex((i) => (i + 1 < queue.length ? i + 1 : repeat === "all" && queue.length ? 0 : i));
  }, [queue.length, repeat]);

  const previous = useCallback(() => {
    const audio = audioRef.current;
    resumeAt.current = null;
    if (audio && audio.currentTime > 3) {
      audio.currentTime = 0;
      return;
    }
    setIndex((i) => (i > 0 ? i - 1 : repeat === "all" && queue.length ? queue.length - 1 : i));
  }, [queue.length, repeat]);

  const seek = useCallback(
    (seconds: number) => {
      const audio = audioRef.current;
      if (!audio || !currentRef.current) return;
      const max = Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : duration;
      const t = Math.max(0, Math.min(max || 0, seconds));
      listens.onSeekStart(); // a jump is not listening time
      audio.currentTime = t;
      setPosition(t);
    },
    [duration], // listens is stable
  );

  const skip = useCallback(
    (delta: number) => seek((audioRef.current?.currentTime ?? 0) + delta),
    [seek],
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

  const volumeRef = useRef(volume);
  volumeRef.current = volume;
  const nudgeVolume = useCallback((d: number) => setVolume(volumeRef.current + d), [setVolume]);
  const toggleMute = useCallback(() => setMuted((m) => !m), []);

  const toggleShuffle = useCallback(() => {
    if (!shuffle) {
      unshuffled.current = queue.map((t) => t.id);
      setQueue(shuffleAround(queue, Math.max(0, index)));
      setIndex(queue.length ? 0 : -1);
      setShuffle(true);
      return;
    }
    // Back to the order it had, still on the same track.
    const order = unshuffled.current;
    if (order) {
      const byId = new Map(queue.map((t) => [t.id, t]));
      const restoredOrder = order.map((id) => byId.get(id)).filter((t): t is Track => !!t);
      for (const t of queue) if (!restoredOrder.includes(t)) restoredOrder.push(t);
      const cur = currentRef.current;
      setQueue(restoredOrder);
      setIndex(cur ? restoredOrder.indexOf(cur) : -1);
    }
    unshuffled.current = undefined;
    setShuffle(false);
  }, [shuffle, queue, index]);

  const cycleRepeat = useCallback(
    () => setRepeat((r) => (r === "off" ? "all" : r === "all" ? "one" : "off")),
    [],
  );

  const jumpTo = useCallback((i: number) => {
    wantPlay.current = true;
    resumeAt.current = null;
    setIndex(i);
    setPlaying(true);
  }, []);

  const removeAt = useCallback(
    (i: number) => {
      const removed = queue[i];
      setQueue((q) => q.filter((_, j) => j !== i));
      if (removed && unshuffled.current)
        unshuffled.current = unshuffled.current.filter((id) => id !== removed.id);
      setIndex((cur) => (i < cur ? cur - 1 : i === cur ? Math.min(cur, queue.length - 2) : cur));
    },
    [queue],
  );

  const onEnded = () => {
    listens.onEnded();
    const audio = audioRef.current;
    if (repeat === "one" && audio) {
      audio.currentTime = 0;
      void audio.play().catch(() => setPlaying(false));
      return;
    }
    if (index + 1 < queue.length || (repeat === "all" && queue.length > 0)) {
      wantPlay.current = true;
      resumeAt.current = null;
      const to = index + 1 < queue.length ? index + 1 : 0;
      if (to === index && audio) {
        audio.currentTime = 0;
        void audio.play().catch(() => setPlaying(false));
      } else setIndex(to);
    } else {
      wantPlay.current = false;
      setPlaying(false);
      save();
    }
  };

  const mediaControls = useMemo(
    () => ({ play, pause, next, previous, seek, skip, stop: pause }),
    [play, pause, next, previous, seek, skip],
  );
  useMediaSession(current, playing, mediaControls, { position: Math.floor(position), duration });
  usePlayerShortcuts({
    toggle,
    next,
    previous,
    skip,
    toggleMute,
    nudgeVolume,
    toggleShuffle,
    cycleRepeat,
  });

  const value = useMemo<Player>(
    () => ({
      queue,
      index,
      current,
      playing,
      volume,
      muted,
      normalize,
      appliedGainDb,
      shuffle,
      repeat,
      error,
      playTracks,
      enqueue,
      toggle,
      next,
      previous,
      seek,
      setVolume,
      toggleMute,
      toggleNormalize,
      toggleShuffle,
      cycleRepeat,
      jumpTo,
      removeAt,
    }),
    [
      queue,
      index,
      current,
      playing,
      volume,
      muted,
      normalize,
      appliedGainDb,
      shuffle,
      repeat,
      error,
      playTracks,
      enqueue,
      toggle,
      next,
      previous,
      seek,
      setVolume,
      toggleMute,
      toggleNormalize,
      toggleShuffle,
      cycleRepeat,
      jumpTo,
      removeAt,
    ],
  );
  const positionValue = useMemo(() => ({ position, duration }), [position, duration]);

  return (
    <PlayerContext.Provider value={value}>
      <PositionContext.Provider value={positionValue}>
        {children}
        <audio
          ref={audioRef}
          preload="metadata"
          data-testid="audio"
          onPlay={() => {
            // Listening time counts from here (a resume, or the very start).
            listens.onPlay();
            wantPlay.current = true;
            resumeAt.current = null;
            setPlaying(true);
          }}
          onPause={() => {
            setPlaying(false);
            save();
          }}
          onTimeUpdate={() => {
            const audio = audioRef.current!;
            if (resumeAt.current !== null && audio.paused) return; // restoring, not playing
            listens.onTimeUpdate();
            setPosition(audio.currentTime);
            if (!audio.paused && Date.now() - lastSaved.current > SAVE_POSITION_MS) save();
          }}
          onSeeked={listens.onSeeked}
          onLoadedMetadata={() => {
            const audio = audioRef.current;
            const d = audio?.duration;
            if (d && Number.isFinite(d)) setDuration(d);
            if (audio && resumeAt.current !== null) {
              const at = resumeAt.current;
              if (at > 0 && (!d || !Number.isFinite(d) || at < d - 1)) audio.currentTime = at;
              setPosition(audio.currentTime);
            }
          }}
          onEnded={onEnded}
          onError={() => {
            if (!current) return;
            setError(`“${current.title}” cannot be played right now.`);
            setPlaying(false);
          }}
        />
      </PositionContext.Provider>
    </PlayerContext.Provider>
  );
}
