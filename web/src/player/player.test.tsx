// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Track } from "../api/types";
import { makeTrack } from "../api/defaults";
import { TrackList } from "../components/track-list";
import type { ListenEvent } from "./listen";
import { gainedVolume, PlayerProvider, trackGain } from "./player";
import { PlayerBar } from "./player-bar";

const track = (id: string, title: string, seconds = 30): Track =>
  makeTrack({
    id,
    title,
    artist: { id: `a-${id}`, name: `Artist ${title}` },
    album: { id: `al-${id}`, title: `Album ${title}` },
    genre: null,
    genreSource: null,
    trackNumber: null,
    year: 2024,
    durationMs: seconds * 1000,
    popularity: 1,
    playCount: 0,
    tempo: null,
    energy: null,
    valence: null,
    hasAudio: true,
    coverUrl: null,
    createdAt: "2026-01-01T00:00:00Z",
  });

const A = track("11111111-1111-4111-8111-111111111111", "First Light");
const B = track("22222222-2222-4222-8222-222222222222", "Second Wind");
const C = { ...track("33333333-3333-4333-8333-333333333333", "Silent"), hasAudio: false };

/** jsdom has no media playback: a tiny stand-in keeps paused/currentTime/duration and fires events. */
type FakeMedia = HTMLMediaElement & { _paused?: boolean; _t?: number; _d?: number };
function installFakeMedia() {
  const proto = HTMLMediaElement.prototype as FakeMedia;
  Object.defineProperty(proto, "paused", {
    configurable: true,
    get(this: FakeMedia) {
      return this._paused ?? true;
    },
  });
  Object.defineProperty(proto, "currentTime", {
    configurable: true,
    get(this: FakeMedia) {
      return this._t ?? 0;
    },
    set(this: FakeMedia, v: number) {
      this._t = v;
    },
  });
  Object.defineProperty(proto, "duration", {
    configurable: true,
    get(this: FakeMedia) {
      return this._d ?? NaN;
    },
  });
  proto.play = vi.fn(function (this: FakeMedia) {
    this._paused = false;
    this.dispatchEvent(new Event("play"));
    return Promise.resolve();
  });
  proto.pause = vi.fn(function (this: FakeMedia) {
    this._paused = true;
    this.dispatchEvent(new Event("pause"));
  });
  proto.load = vi.fn();
}

const audio = () => screen.getByTestId<FakeMedia>("audio");

/** Plays `seconds` of audio in 1-second steps, as a browser fires timeupdate. */
function playFor(seconds: number) {
  const el = audio();
  for (let i = 0; i < seconds; i++) {
    act(() => {
      el._t = (el._t ?? 0) + 1;
      fireEvent.timeUpdate(el);
    });
  }
}

let reports: ListenEvent[];
function setup(tracks: Track[] = [A, B, C]) {
  reports = [];
  const report = vi.fn(async (e: ListenEvent) => {
    reports.push(e);
  });
  const view = render(
    <MemoryRouter>
      <PlayerProvider report={report}>
        <TrackList tracks={tracks} label="Tracks" />
        <PlayerBar />
      </PlayerProvider>
    </MemoryRouter>,
  );
  return { report, user: userEvent.setup(), view };
}

beforeEach(() => {
  installFakeMedia();
  localStorage.clear();
});
afterEach(cleanup);

describe("player", () => {
  it("streams the chosen track through the API's stream URL and shows it in the bar", async () => {
    const { user } = setup();
    expect(screen.getByText("Nothing playing. Pick a track to start.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Play Second Wind" }));
    expect(audio().src).toBe(`http://localhost:8000/api/v1/tracks/${B.id}/stream?redirect=1`);
    expect(audio().paused).toBe(false);
    const bar = screen.getByRole("region", { name: "Player" });
    expect(bar).toHaveTextContent("Second Wind");
    expect(screen.getByRole("button", { name: "Pause" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Silent has no audio yet" })).toBeDisabled();
  });

  it("plays, pauses and skips with the buttons and the keyboard", async () => {
    const { user } = setup();
    await user.click(screen.getByRole("button", { name: "Play First Light" }));
    await user.click(screen.getByRole("button", { name: "Pause" }));
    expect(audio().paused).toBe(true);
    expect(screen.getByRole("button", { name: "Play" })).toBeInTheDocument();

    await user.keyboard("k");
    expect(audio().paused).toBe(false);
    act(() => {
      fireEvent.keyDown(document.body, { key: " " });
    });
    expect(audio().paused).toBe(true);

    await user.click(screen.getByRole("button", { name: "Next track" }));
    expect(audio().src).toContain(B.id);
    // The silent track never entered the queue: Second Wind is the last one.
    expect(screen.getByRole("button", { name: "Next track" })).toBeDisabled();
    act(() => {
      fireEvent.keyDown(document.body, { key: "p" });
    });
    expect(audio().src).toContain(A.id);
    expect(screen.getByLabelText("Queue, 2 tracks")).toBeInTheDocument();
  });

  it("seeks with the slider and the arrow keys", async () => {
    const { user } = setup();
    await user.click(screen.getByRole("button", { name: "Play First Light" }));
    fireEvent.change(screen.getByRole("slider", { name: "Seek" }), { target: { value: "12" } });
    expect(audio().currentTime).toBe(12);
    act(() => {
      fireEvent.keyDown(document.body, { key: "ArrowRight" });
    });
    expect(audio().currentTime).toBe(22);
    act(() => {
      fireEvent.keyDown(document.body, { key: "ArrowLeft" });
    });
    expect(audio().currentTime).toBe(12);
    expect(screen.getByRole("slider", { name: "Seek" })).toHaveAttribute(
      "aria-valuetext",
      "0:12 of 0:30",
    );
  });

  it("changes and mutes the volume, and remembers it", async () => {
    const { user } = setup();
    await user.click(screen.getByRole("button", { name: "Play First Light" }));
    fireEvent.change(screen.getByRole("slider", { name: "Volume" }), { target: { value: "40" } });
    expect(audio().volume).toBeCloseTo(0.4);
    act(() => {
      fireEvent.keyDown(document.body, { key: "ArrowUp" });
    });
    expect(audio().volume).toBeCloseTo(0.5);
    await user.click(screen.getByRole("button", { name: "Mute" }));
    expect(audio().muted).toBe(true);
    expect(screen.getByRole("button", { name: "Unmute" })).toHaveAttribute("aria-pressed", "true");
    expect(localStorage.getItem("jonquils.volume")).toBe("0.5");
  });

  it("normalizes the volume with each track's gain when asked, and plays tracks without one as is", async () => {
    const loud = { ...A, trackGainDb: -6 };
    const quiet = { ...B, trackGainDb: 20 };
    const { user } = setup([loud, quiet, C]);
    await user.click(screen.getByRole("button", { name: "Play First Light" }));
    fireEvent.change(screen.getByRole("slider", { name: "Volume" }), { target: { value: "80" } });
    expect(audio().volume).toBeCloseTo(0.8);
    await user.click(screen.getByText(/^Queue/));
    await user.click(screen.getByRole("checkbox", { name: "Normalize volume" }));
    // −6 dB halves the amplitude.
    expect(audio().volume).toBeCloseTo(0.8 * 10 ** (-6 / 20));
    expect(screen.getByText("This track: -6.0 dB")).toBeInTheDocument();
    expect(localStorage.getItem("jonquils.normalize")).toBe("1");
    // A positive gain is capped at the element's full volume.
    await user.click(screen.getByRole("button", { name: "Next track" }));
    expect(audio().volume).toBe(1);
    await user.click(screen.getByRole("checkbox", { name: "Normalize volume" }));
    expect(audio().volume).toBeCloseTo(0.8);
  });

  it("ignores a missing track gain (older servers, tracks not measured)", () => {
    expect(trackGain(A, true)).toBeNull();
    expect(trackGain({ ...A, trackGainDb: null }, true)).toBeNull();
    expect(trackGain({ ...A, trackGainDb: -3 }, false)).toBeNull();
    const old = { ...A } as Partial<Track>;
    delete old.trackGainDb;
    expect(trackGain(old as Track, true)).toBeNull();
    expect(gainedVolume(0.5, null)).toBe(0.5);
    expect(gainedVolume(0.5, 6)).toBeCloseTo(0.5 * 10 ** (6 / 20));
  });

  it("reports each listen with the time actually played and how far it got", async () => {
    const { user } = setup();
    await user.click(screen.getByRole("button", { name: "Play First Light" }));
    playFor(10);
    // A jump forward is not listening time, but it counts towards how far the track got.
    fireEvent.change(screen.getByRole("slider", { name: "Seek" }), { target: { value: "24" } });
    act(() => {
      fireEvent.seeked(audio());
    });
    playFor(3);
    expect(reports).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Next track" }));
    expect(reports).toEqual([
      {
        trackId: A.id,
        playDurationMs: 13_000,
        completionPercentage: 90,
        platform: "web",
        deviceType: "desktop",
      },
    ]);

    // Played to the end: complete, and the queue stops after the last track.
    playFor(30);
    act(() => {
      fireEvent.ended(audio());
    });
    expect(reports[1]).toMatchObject({
      trackId: B.id,
      playDurationMs: 30_000,
      completionPercentage: 100,
    });
  });

  it("does not report a skip of under a second", async () => {
    const { user } = setup();
    await user.click(screen.getByRole("button", { name: "Play First Light" }));
    await user.click(screen.getByRole("button", { name: "Next track" }));
    expect(reports).toHaveLength(0);
  });

  it("tells the operating system what is playing (Media Session)", async () => {
    const handlers = new Map<string, unknown>();
    const session = {
      metadata: null as unknown,
      playbackState: "none",
      setActionHandler: (action: string, handler: unknown) => handlers.set(action, handler),
    };
    Object.defineProperty(navigator, "mediaSession", { configurable: true, value: session });
    vi.stubGlobal(
      "MediaMetadata",
      class {
        constructor(readonly init: { title: string; artist: string; album: string }) {}
      },
    );
    try {
      const { user } = setup();
      await user.click(screen.getByRole("button", { name: "Play First Light" }));
      expect(session.metadata).toMatchObject({
        init: { title: "First Light", artist: "Artist First Light", album: "Album First Light" },
      });
      expect(session.playbackState).toBe("playing");
      expect([...handlers.keys()]).toEqual(
        expect.arrayContaining(["play", "pause", "nexttrack", "previoustrack", "seekto"]),
      );
      act(() => (handlers.get("nexttrack") as () => void)());
      expect(audio().src).toContain(B.id);
    } finally {
      vi.unstubAllGlobals();
      Reflect.deleteProperty(navigator, "mediaSession");
    }
  });

  it("picks up the queue, the track and the position after a reload", async () => {
    const { user, view } = setup();
    await user.click(screen.getByRole("button", { name: "Play Second Wind" }));
    playFor(12);
    await user.click(screen.getByRole("button", { name: "Pause" }));
    view.unmount(); // the page goes away …
    setup(); // … and comes back
    const bar = screen.getByRole("region", { name: "Player" });
    expect(bar).toHaveTextContent("Second Wind");
    expect(screen.getByLabelText("Queue, 2 tracks")).toBeInTheDocument();
    expect(audio().src).toContain(B.id);
    expect(audio().paused).toBe(true); // restored, not blaring
    act(() => {
      audio()._d = 30;
      fireEvent.loadedMetadata(audio());
    });
    expect(audio().currentTime).toBe(12);
    expect(screen.getByRole("slider", { name: "Seek" })).toHaveAttribute(
      "aria-valuetext",
      "0:12 of 0:30",
    );
  });

  it("repeats all, repeats one, and shuffles with the buttons and the S and R keys", async () => {
    const D = track("44444444-4444-4444-8444-444444444444", "Fourth Tide");
    const { user } = setup([A, B, D]);
    await user.click(screen.getByRole("button", { name: "Play Fourth Tide" }));
    // Off: the last track ends the queue.
    expect(screen.getByRole("button", { name: "Next track" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Repeat: off" }));
    const repeatAll = screen.getByRole("button", { name: "Repeat: all" });
    expect(repeatAll).toHaveAttribute("aria-pressed", "true");
    act(() => {
      fireEvent.ended(audio());
    });
    expect(audio().src).toContain(A.id); // wrapped around
    act(() => {
      fireEvent.keyDown(document.body, { key: "r" });
    });
    expect(screen.getByRole("button", { name: "Repeat: one" })).toBeInTheDocument();
    playFor(5);
    act(() => {
      fireEvent.ended(audio());
    });
    expect(audio().src).toContain(A.id); // the same track again, from the start
    expect(audio().currentTime).toBe(0);
    expect(reports.at(-1)).toMatchObject({ trackId: A.id, completionPercentage: 100 });

    // Shuffle keeps the current track and plays the rest in another order; off restores it.
    act(() => {
      fireEvent.keyDown(document.body, { key: "s" });
    });
    expect(screen.getByRole("button", { name: "Shuffle" })).toHaveAttribute("aria-pressed", "true");
    const queued = () =>
      screen.getAllByRole("button", { name: /—/ }).map((b) => b.textContent?.split(" — ")[0]);
    expect(queued()[0]).toBe("First Light");
    expect([...queued()].sort()).toEqual(["First Light", "Fourth Tide", "Second Wind"]);
    await user.click(screen.getByRole("button", { name: "Shuffle" }));
    expect(queued()).toEqual(["First Light", "Second Wind", "Fourth Tide"]);
    expect(audio().src).toContain(A.id);
  });
});
