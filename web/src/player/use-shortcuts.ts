import { useEffect, useRef } from "react";

export interface ShortcutActions {
  toggle: () => void;
  next: () => void;
  previous: () => void;
  /** Jump by this many seconds (negative: back). */
  skip: (seconds: number) => void;
  toggleMute: () => void;
  /** Change the volume by this much (−1…1). */
  nudgeVolume: (delta: number) => void;
  toggleShuffle: () => void;
  cycleRepeat: () => void;
}

/** The keys, for the help list and aria-keyshortcuts. */
export const SHORTCUTS: { keys: string; does: string }[] = [
  { keys: "Space / K", does: "play or pause" },
  { keys: "← / →", does: "back or forward 10 s" },
  { keys: "Shift+← / Shift+→, P / N", does: "previous or next track" },
  { keys: "↑ / ↓", does: "volume" },
  { keys: "M", does: "mute" },
  { keys: "S", does: "shuffle on or off" },
  { keys: "R", does: "repeat: off, all, one" },
];

/** Keyboard shortcuts for the player, anywhere on the page except while typing in a field. */
export function usePlayerShortcuts(actions: ShortcutActions): void {
  const ref = useRef(actions);
  ref.current = actions;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      const tag = target?.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target?.isContentEditable)
        return;
      const onControl = tag === "BUTTON" || tag === "A" || tag === "SUMMARY";
      const a = ref.current;
      switch (e.key) {
        case " ":
          if (onControl) return;
          a.toggle();
          break;
        case "k":
          a.toggle();
          break;
        case "ArrowRight":
        case "l":
          if (e.shiftKey) a.next();
          else a.skip(10);
          break;
        case "ArrowLeft":
        case "j":
          if (e.shiftKey) a.previous();
          else a.skip(-10);
          break;
        case "n":
        case "N":
          a.next();
          break;
        case "p":
        case "P":
          a.previous();
          break;
        case "m":
          a.toggleMute();
          break;
        case "s":
          a.toggleShuffle();
          break;
        case "r":
          a.cycleRepeat();
          break;
        case "ArrowUp":
          a.nudgeVolume(0.1);
          break;
        case "ArrowDown":
          a.nudgeVolume(-0.1);
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}
