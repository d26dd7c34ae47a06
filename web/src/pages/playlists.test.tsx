// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type * as Endpoints from "../api/endpoints";
import type { PlaylistDetail, Track } from "../api/types";
import { makeTrack } from "../api/defaults";
import { PlayerProvider } from "../player/player";

const reorderPlaylist = vi.fn(async (_id: string, _ids: string[]) => undefined);
const updatePlaylist = vi.fn(async (_id: string, change: object) => ({ ...playlist(), ...change }));
const removeFromPlaylist = vi.fn(async () => undefined);
let current: PlaylistDetail;
vi.mock("../api/endpoints", async (orig) => ({
  ...(await orig<typeof Endpoints>()),
  getPlaylist: async () => current,
  reorderPlaylist: (id: string, ids: string[]) => reorderPlaylist(id, ids),
  updatePlaylist: (id: string, change: object) => updatePlaylist(id, change),
  removeFromPlaylist: () => removeFromPlaylist(),
}));
vi.mock("../auth/auth", () => ({
  useAuth: () => ({ user: { id: "owner", username: "ann", role: "user" }, restoring: false }),
}));
const { PlaylistPage } = await import("./playlists");

const track = (n: number): Track =>
  makeTrack({
    id: `0000000${n}-0000-4000-8000-000000000000`,
    title: `Song ${n}`,
    artist: { id: "a", name: "Band" },
    album: null,
    genre: null,
    genreSource: null,
    trackNumber: null,
    year: null,
    durationMs: 60_000,
    popularity: 0,
    playCount: 0,
    tempo: null,
    energy: null,
    valence: null,
    hasAudio: true,
    coverUrl: null,
    createdAt: "",
  });

function playlist(): PlaylistDetail {
  return {
    id: "p1",
    title: "Road trip",
    description: null,
    isPublic: true,
    owner: { id: "owner", username: "ann" },
    trackCount: 3,
    durationMs: 180_000,
    createdAt: "",
    updatedAt: "",
    tracks: [1, 2, 3].map((n, i) => ({ position: i, addedAt: "", track: track(n) })),
  };
}

function setup() {
  current = playlist();
  render(
    <MemoryRouter initialEntries={["/playlists/p1"]}>
      <PlayerProvider report={async () => undefined}>
        <Routes>
          <Route path="/playlists/:id" element={<PlaylistPage />} />
        </Routes>
      </PlayerProvider>
    </MemoryRouter>,
  );
  return userEvent.setup();
}

const order = () =>
  within(screen.getByRole("list", { name: /Tracks of/ }))
    .getAllByRole("link")
    .filter((a) => a.classList.contains("track-title"))
    .map((a) => a.textContent);

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("playlist page", () => {
  it("reorders with the keyboard-friendly buttons and saves the whole order", async () => {
    const user = setup();
    await screen.findByRole("list", { name: /Tracks of/ });
    await user.click(screen.getByRole("button", { name: "Move Song 3 up" }));
    expect(order()).toEqual(["Song 1", "Song 3", "Song 2"]);
    expect(reorderPlaylist).toHaveBeenCalledWith("p1", [track(1).id, track(3).id, track(2).id]);
    expect(await screen.findByText("Moved “Song 3” to position 2.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Move Song 1 up" })).toBeDisabled();
  });

  it("reorders by drag and drop", async () => {
    setup();
    const rows = within(await screen.findByRole("list", { name: /Tracks of/ })).getAllByRole(
      "listitem",
    );
    const data = new Map<string, string>();
    const dataTransfer = {
      setData: (k: string, v: string) => data.set(k, v),
      getData: (k: string) => data.get(k) ?? "",
      effectAllowed: "",
    };
    act(() => {
      fireEvent.dragStart(rows[0]!, { dataTransfer });
      fireEvent.dragOver(rows[2]!, { dataTransfer });
      fireEvent.drop(rows[2]!, { dataTransfer });
    });
    expect(order()).toEqual(["Song 2", "Song 3", "Song 1"]);
    expect(reorderPlaylist).toHaveBeenCalledWith("p1", [track(2).id, track(3).id, track(1).id]);
  });

  it("renames, makes private, removes a track and shows the share link while public", async () => {
    const user = setup();
    const name = await screen.findByLabelText("Playlist name");
    expect(screen.getByText(/Share link:/)).toHaveTextContent("/playlists/p1");
    await user.clear(name);
    await user.type(name, "Night drive");
    await user.click(screen.getByRole("button", { name: "Rename" }));
    expect(updatePlaylist).toHaveBeenCalledWith("p1", { title: "Night drive" });
    await user.click(screen.getByRole("checkbox", { name: "Public" }));
    expect(updatePlaylist).toHaveBeenLastCalledWith("p1", { isPublic: false });
    expect(await screen.findByText("Private playlist")).toBeInTheDocument();
    expect(screen.queryByText(/Share link:/)).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Remove Song 2 from the playlist" }));
    expect(await screen.findByText("Removed “Song 2”.")).toBeInTheDocument();
    expect(order()).toEqual(["Song 1", "Song 3"]);
  });
});
