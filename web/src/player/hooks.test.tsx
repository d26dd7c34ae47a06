// @vitest-environment jsdom
import { act, cleanup, fireEvent, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Track } from "../api/types";
import { drainOutbox, listenOutbox, type ListenEvent } from "./listen";
import { useListenTracking } from "./use-listen-tracking";
import { useMediaSession } from "./use-media-session";
import { usePlayerShortcuts, type ShortcutActions } from "./use-shortcuts";

beforeEach(() => localStorage.clear());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** An <audio> stand-in whose clock the test moves. */
function fakeAudio() {
  const el = { currentTime: 0, paused: false, duration: 60 } as unknown as HTMLAudioElement;
  return { ref: { current: el }, el };
}

describe("useListenTracking", () => {
  function setup() {
    const calls: { event: ListenEvent; key: string; unloading: boolean }[] = [];
    const report = vi.fn(
      async (event: ListenEvent, o: { idempotencyKey: string; unloading?: boolean }) => {
        calls.push({ event, key: o.idempotencyKey, unloading: Boolean(o.unloading) });
      },
    );
    const { ref, el } = fakeAudio();
    const hook = renderHook(() => useListenTracking(ref, report));
    const play = (seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        (el as { currentTime: number }).currentTime += 1;
        hook.result.current.onTimeUpdate();
      }
    };
    return { calls, hook, play, report };
  }

  it("reports the listen in progress when the page is left (a reload fires pagehide, not hidden)", async () => {
    const { calls, hook, play } = setup();
    hook.result.current.begin("t1", 60);
    hook.result.current.onPlay();
    play(7);
    expect(calls).toHaveLength(0);
    act(() => {
      window.dispatchEvent(new Event("pagehide"));
    });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toMatchObject({
      unloading: true,
      event: { trackId: "t1", playDurationMs: 7000 },
    });
    expect(calls[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    // Reported once: a second page event finds nothing new to report.
    act(() => {
      window.dispatchEvent(new Event("beforeunload"));
    });
    expect(calls).toHaveLength(1);
  });

  it("reports on visibilitychange to hidden only when nothing is playing", async () => {
    const { calls, hook, play } = setup();
    hook.result.current.begin("t1", 60);
    hook.result.current.onPlay();
    play(5);
    Object.defineProperty(document, "visibilityState", { configurable: true, value: "hidden" });
    act(() => {
      document.dispatchEvent(new Event("visibilitychange"));
    });
    // Still playing: kept counting, but checkpointed in case the page is killed.
    expect(calls).toHaveLength(0);
    expect(localStorage.getItem("jonquils.listenInProgress")).toContain("t1");
    Reflect.deleteProperty(document, "visibilityState");
  });

  it("keeps an unacknowledged listen and retries it under the same key", async () => {
    const failing = vi.fn(async () => {
      throw new Error("offline");
    });
    const { ref } = fakeAudio();
    const h = renderHook(() => useListenTracking(ref, failing));
    h.result.current.begin("t2", 60);
    h.result.current.onPlay();
    for (let i = 0; i < 4; i++) {
      (ref.current as { currentTime: number }).currentTime += 1;
      h.result.current.onTimeUpdate();
    }
    h.result.current.flush();
    await vi.waitFor(() => expect(failing).toHaveBeenCalledTimes(1));
    const pending = listenOutbox.pending();
    expect(pending).toHaveLength(1);
    const sent: string[] = [];
    await drainOutbox(async (_e, o) => {
      sent.push(o.idempotencyKey);
    });
    expect(sent).toEqual([pending[0]!.key]);
    expect(listenOutbox.pending()).toEqual([]);
  });

  it("recovers a listen a killed page left in progress", () => {
    listenOutbox.checkpoint({
      key: "k1",
      event: {
        trackId: "t3",
        playDurationMs: 4000,
        completionPercentage: 10,
        platform: "web",
        deviceType: "desktop",
      },
    });
    listenOutbox.recoverCheckpoint();
    expect(listenOutbox.pending().map((p) => p.key)).toEqual(["k1"]);
  });
});

describe("usePlayerShortcuts", () => {
  it("drives the player from the keyboard, but not while typing", () => {
    const actions: ShortcutActions = {
      toggle: vi.fn(),
      next: vi.fn(),
      previous: vi.fn(),
      skip: vi.fn(),
      toggleMute: vi.fn(),
      nudgeVolume: vi.fn(),
      toggleShuffle: vi.fn(),
      cycleRepeat: vi.fn(),
    };
    renderHook(() => usePlayerShortcuts(actions));
    const key = (k: string, init: KeyboardEventInit = {}, target: Element = document.body) =>
      fireEvent.keyDown(target, { key: k, ...init });
    key("s");
    key("r");
    key("ArrowRight");
    key("ArrowRight", { shiftKey: true });
    key("ArrowDown");
    expect(actions.toggleShuffle).toHaveBeenCalledTimes(1);
    expect(actions.cycleRepeat).toHaveBeenCalledTimes(1);
    expect(actions.skip).toHaveBeenCalledWith(10);
    expect(actions.next).toHaveBeenCalledTimes(1);
    expect(actions.nudgeVolume).toHaveBeenCalledWith(-0.1);
    const input = document.createElement("input");
    document.body.append(input);
    key("s", {}, input);
    expect(actions.toggleShuffle).toHaveBeenCalledTimes(1);
    input.remove();
  });
});

describe("useMediaSession", () => {
  it("shows the track and answers every media key", () => {
    const handlers = new Map<string, ((d: MediaSessionActionDetails) => void) | null>();
    const ms = {
      metadata: null as unknown,
      playbackState: "none",
      setActionHandler: (a: string, h: ((d: MediaSessionActionDetails) => void) | null) =>
        handlers.set(a, h),
      setPositionState: vi.fn(),
    };
    Object.defineProperty(navigator, "mediaSession", { configurable: true, value: ms });
    vi.stubGlobal(
      "MediaMetadata",
      class {
        constructor(readonly init: unknown) {}
      },
    );
    const controls = {
      play: vi.fn(),
      pause: vi.fn(),
      next: vi.fn(),
      previous: vi.fn(),
      seek: vi.fn(),
      skip: vi.fn(),
      stop: vi.fn(),
    };
    const track = {
      id: "t",
      title: "Song",
      artist: { id: "a", name: "Band" },
      album: { id: "al", title: "Record" },
      coverUrl: "/c",
    } as unknown as Track;
    try {
      renderHook(() => useMediaSession(track, true, controls, { position: 5, duration: 60 }));
      expect(ms.metadata).toMatchObject({
        init: { title: "Song", artist: "Band", album: "Record" },
      });
      expect(ms.playbackState).toBe("playing");
      expect(ms.setPositionState).toHaveBeenCalledWith({
        duration: 60,
        position: 5,
        playbackRate: 1,
      });
      handlers.get("pause")!({ action: "pause" });
      handlers.get("seekforward")!({ action: "seekforward" });
      handlers.get("seekto")!({ action: "seekto", seekTime: 42 });
      handlers.get("previoustrack")!({ action: "previoustrack" });
      expect(controls.pause).toHaveBeenCalled();
      expect(controls.skip).toHaveBeenCalledWith(10);
      expect(controls.seek).toHaveBeenCalledWith(42);
      expect(controls.previous).toHaveBeenCalled();
    } finally {
      Reflect.deleteProperty(navigator, "mediaSession");
    }
  });
});
