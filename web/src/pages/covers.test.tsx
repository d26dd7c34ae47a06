// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type * as Endpoints from "../api/endpoints";
import type { Track } from "../api/types";
import { makeTrack } from "../api/defaults";
import { PlayerProvider } from "../player/player";

const track = (n: number, coverUrl: string | null): Track =>
  makeTrack({
    id: `0000000${n}-0000-4000-8000-000000000000`,
    title: `Song ${n}`,
    artist: { id: "a1", name: "Band" },
    album: { id: "al1", title: "Record" },
    genre: null,
    genreSource: null,
    trackNumber: n,
    year: 2024,
    durationMs: 60_000,
    popularity: 0,
    playCount: 0,
    tempo: null,
    energy: null,
    valence: null,
    hasAudio: true,
    coverUrl,
    createdAt: "2026-01-01T00:00:00Z",
  });
const tracks = [track(1, null), track(2, "/api/v1/tracks/2/cover?size=300"), track(3, null)];

vi.mock("../api/endpoints", async (orig) => ({
  ...(await orig<typeof Endpoints>()),
  getAlbum: vi.fn(async () => ({
    id: "al1",
    title: "Record",
    releaseDate: null,
    coverImageUrl: null,
    artist: { id: "a1", name: "Band" },
    trackCount: 3,
    createdAt: "",
    tracks,
  })),
  getArtist: vi.fn(async () => ({ id: "a1", name: "Band", bio: null, country: null })),
  artistTracks: vi.fn(async () => ({ items: tracks, limit: 50, offset: 0, total: 3 })),
  artistAlbums: vi.fn(async () => ({ items: [], limit: 50, offset: 0, total: 0 })),
}));

const { AlbumPage, ArtistPage } = await import("./catalog");

afterEach(cleanup);

function at(path: string) {
  render(
    <MemoryRouter initialEntries={[path]}>
      <PlayerProvider stores={[]}>
        <Routes>
          <Route path="/albums/:id" element={<AlbumPage />} />
          <Route path="/artists/:id" element={<ArtistPage />} />
        </Routes>
      </PlayerProvider>
    </MemoryRouter>,
  );
}

describe("real covers", () => {
  it("gives an album the embedded art of its tracks, even when the first has none", async () => {
    at("/albums/al1");
    const img = await screen.findByRole("img", { name: "Cover art of Record" });
    expect(img).toHaveAttribute("src", expect.stringContaining(`/tracks/${tracks[1]!.id}/cover`));
  });

  it("gives an artist an image from their releases", async () => {
    at("/artists/a1");
    const img = await screen.findByRole("img", { name: "Cover art of Band" });
    expect(img).toHaveAttribute("src", expect.stringContaining(`/tracks/${tracks[1]!.id}/cover`));
  });
});
