// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as Endpoints from "../api/endpoints";
import { makeTrack } from "../api/defaults";
import type { Track } from "../api/types";
import { PlayerProvider } from "../player/player";

const track = (n: number): Track =>
  makeTrack({
    id: `0000000${n}-0000-4000-8000-000000000000`,
    title: `Song ${n}`,
    artist: { id: "a1", name: "Band" },
    durationMs: 60_000,
  });
const A = track(1);
const B = track(2);

let liked: Track[] = [];
const likeTrack = vi.fn(async (id: string) => {
  liked = [[A, B].find((t) => t.id === id)!, ...liked];
  return { liked: true as const, likedAt: "" };
});
const unlikeTrack = vi.fn(async (id: string) => {
  liked = liked.filter((t) => t.id !== id);
});
let accountRatings: Record<string, number> = {};
const rateTrack = vi.fn(async (trackId: string, rating: number | null) => {
  if (rating === null) delete accountRatings[trackId];
  else accountRatings[trackId] = rating;
  return { trackId, rating };
});
vi.mock("../api/endpoints", async (orig) => ({
  ...(await orig<typeof Endpoints>()),
  likedTracks: vi.fn(async () => ({
    items: liked.map((track) => ({ likedAt: "", track })),
    limit: 100,
    offset: 0,
    nextOffset: null,
  })),
  likeTrack: (id: string) => likeTrack(id),
  unlikeTrack: (id: string) => unlikeTrack(id),
  rateTrack: (id: string, r: number | null) => rateTrack(id, r),
  getTrackRating: vi.fn(async (id: string) => ({
    trackId: id,
    rating: accountRatings[id] ?? null,
  })),
}));
vi.mock("../auth/auth", () => ({
  useAuth: () => ({ user: { id: "u1", username: "ann", role: "user" }, restoring: false }),
}));

const { LibraryProvider } = await import("./library");
const { StarRating } = await import("./controls");
const { TrackList } = await import("../components/track-list");
const { LikedSongsPage } = await import("../pages/library");

beforeEach(() => {
  liked = [B];
  accountRatings = {};
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

function renderAt(path: string) {
  render(
    <MemoryRouter initialEntries={[path]}>
      <LibraryProvider>
        <PlayerProvider stores={[]}>
          <Routes>
            <Route path="/list" element={<TrackList tracks={[A, B]} label="Tracks" />} />
            <Route path="/liked" element={<LikedSongsPage />} />
            <Route
              path="/both"
              element={
                <>
                  <TrackList tracks={[A, B]} label="Tracks" />
                  <LikedSongsPage />
                </>
              }
            />
            <Route path="/rate" element={<StarRating track={A} />} />
          </Routes>
        </PlayerProvider>
      </LibraryProvider>
    </MemoryRouter>,
  );
}

describe("likes", () => {
  it("shows a full heart on tracks the account liked and an empty one on the others", async () => {
    renderAt("/list");
    const heartB = screen.getByRole("button", { name: "Like Song 2" });
    await waitFor(() => expect(heartB).toHaveAttribute("aria-pressed", "true"));
    expect(screen.getByRole("button", { name: "Like Song 1" })).toHaveAttribute(
      "aria-pressed",
      "false",
    );
  });

  it("a heart adds the song to Liked songs, a second tap takes it out", async () => {
    renderAt("/both");
    const list = () => screen.getByRole("list", { name: "Liked songs" });
    await waitFor(() => expect(within(list()).getByText("Song 2")).toBeInTheDocument());
    expect(within(list()).queryByText("Song 1")).toBeNull();

    const heartA = within(screen.getByRole("list", { name: "Tracks" })).getByRole("button", {
      name: "Like Song 1",
    });
    await userEvent.click(heartA);
    expect(likeTrack).toHaveBeenCalledWith(A.id);
    expect(heartA).toHaveAttribute("aria-pressed", "true");
    await waitFor(() => expect(within(list()).getByText("Song 1")).toBeInTheDocument());

    await userEvent.click(heartA);
    expect(unlikeTrack).toHaveBeenCalledWith(A.id);
    await waitFor(() => expect(within(list()).queryByText("Song 1")).toBeNull());
  });

  it("puts the heart back and says why when the API refuses", async () => {
    likeTrack.mockRejectedValueOnce(new Error("the server is away"));
    renderAt("/liked");
    await screen.findByText("Song 2");
    renderAt("/list");
    const heartA = screen.getAllByRole("button", { name: "Like Song 1" })[0]!;
    await userEvent.click(heartA);
    await waitFor(() => expect(heartA).toHaveAttribute("aria-pressed", "false"));
  });

  it("says what to do when nothing is liked yet", async () => {
    liked = [];
    renderAt("/liked");
    expect(await screen.findByText(/No liked songs yet/)).toBeInTheDocument();
  });
});

describe("ratings", () => {
  it("rates with a click or the arrow keys, sends it to the account and clears it", async () => {
    renderAt("/rate");
    const group = screen.getByRole("radiogroup", { name: "Your rating of Song 1" });
    await userEvent.click(within(group).getByRole("radio", { name: "4 stars" }));
    expect(rateTrack).toHaveBeenLastCalledWith(A.id, 4);
    expect(within(group).getByRole("radio", { name: "4 stars" })).toBeChecked();

    within(group).getByRole("radio", { name: "4 stars" }).focus();
    await userEvent.keyboard("{ArrowRight}");
    expect(rateTrack).toHaveBeenLastCalledWith(A.id, 5);
    expect(within(group).getByRole("radio", { name: "5 stars" })).toBeChecked();

    await userEvent.click(screen.getByRole("button", { name: "Clear rating" }));
    expect(rateTrack).toHaveBeenLastCalledWith(A.id, null);
    expect(within(group).queryAllByRole("radio", { checked: true })).toHaveLength(0);
  });

  it("shows the rating the account holds, given from anywhere (another device, a player app)", async () => {
    accountRatings = { [A.id]: 3 };
    localStorage.clear();
    renderAt("/rate");
    await waitFor(() => expect(screen.getByRole("radio", { name: "3 stars" })).toBeChecked());
    await userEvent.click(screen.getByRole("radio", { name: "2 stars" }));
    cleanup();
    localStorage.clear();
    renderAt("/rate");
    await waitFor(() => expect(screen.getByRole("radio", { name: "2 stars" })).toBeChecked());
  });
});
