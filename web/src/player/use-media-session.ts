import { useEffect } from "react";
import { coverSrc } from "../api/endpoints";
import type { Track } from "../api/types";

export interface MediaSessionControls {
  play: () => void;
  pause: () => void;
  next: () => void;
  previous: () => void;
  seek: (seconds: number) => void;
  /** Seconds to jump by (seekforward / seekbackward). */
  skip: (seconds: number) => void;
  stop: () => void;
}

/** Media Session: the lock screen, headset buttons and the OS media keys show and drive the player. */
export function useMediaSession(
  current: Track | null,
  playing: boolean,
  controls: MediaSessionControls,
  position?: { position: number; duration: number },
): void {
  const ms = typeof navigator !== "undefined" ? navigator.mediaSession : undefined;

  useEffect(() => {
    if (!ms || !current) return;
    if (typeof MediaMetadata !== "undefined") {
      ms.metadata = new MediaMetadata({
        title: current.title,
        artist: current.artist.name,
        album: current.album?.title ?? "",
        artwork: current.coverUrl
          ? [
              { src: coverSrc(current, 64), sizes: "64x64", type: "image/webp" },
              { src: coverSrc(current, 300), sizes: "300x300", type: "image/webp" },
            ]
          : [],
      });
    }
  }, [ms, current]);

  useEffect(() => {
    if (!ms) return;
    const handlers: [MediaSessionAction, MediaSessionActionHandler | null][] = [
      ["play", () => controls.play()],
      ["pause", () => controls.pause()],
      ["stop", () => controls.stop()],
      ["nexttrack", () => controls.next()],
      ["previoustrack", () => controls.previous()],
      ["seekto", (d) => d.seekTime !== undefined && controls.seek(d.seekTime)],
      ["seekforward", (d) => controls.skip(d.seekOffset ?? 10)],
      ["seekbackward", (d) => controls.skip(-(d.seekOffset ?? 10))],
    ];
    for (const [action, handler] of handlers) {
      try {
        ms.setActionHandler(action, handler);
      } catch {
        // this action is not supported by the browser
      }
    }
    return () => {
      for (const [action] of handlers) {
        try {
          ms.setActionHandler(action, null);
        } catch {
          // unsupported
        }
      }
    };
  }, [ms, controls]);

  useEffect(() => {
    if (ms && current) ms.playbackState = playing ? "playing" : "paused";
  }, [ms, playing, current]);

  const pos = position?.position;
  const dur = position?.duration;
  useEffect(() => {
    if (!ms || !current || pos === undefined || !dur || typeof ms.setPositionState !== "function")
      return;
    try {
      ms.setPositionState({ duration: dur, position: Math.min(pos, dur), playbackRate: 1 });
    } catch {
      // an inconsistent state is ignored
    }
  }, [ms, current, pos, dur]);
}
