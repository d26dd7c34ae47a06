// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type * as Endpoints from "../api/endpoints";
import type * as Typed from "../api/typed";
import { makeTrack } from "../api/defaults";
import type { SmartPlaylist, SmartRules } from "../api/types";
import { PlayerProvider } from "../player/player";

const T = makeTrack({
  id: "11111111-1111-4111-8111-111111111111",
  title: "Fast Bright",
  artist: { id: "a1", name: "Band" },
});
const U = makeTrack({
  id: "22222222-2222-4222-8222-222222222222",
  title: "Nearby Tune",
  artist: { id: "a2", name: "Other" },
});

let smart: SmartPlaylist;
const createSmartPlaylist = vi.fn(async (body: { title: string; rules: SmartRules }) => {
  smart = {
    ...body,
    id: "99999999-9999-4999-8999-999999999999",
    description: null,
    isPublic: false,
    owner: { id: "u1", username: "ann" },
    sort: "popularity",
    limit: 100,
    createdAt: "",
    updatedAt: "",
  };
  return smart;
});
const updateSmartPlaylist = vi.fn(async (_id: string, body: Partial<SmartPlaylist>) => {
  smart = { ...smart, ...body };
  return smart;
});
const smartPlaylistTracks = vi.fn(async () => ({
  items: smart.rules.tempo?.min && smart.rules.tempo.min > 200 ? [] : [T],
  limit: 100,
  offset: 0,
  nextOffset: null,
}));
const created: { id: string; name: string }[] = [];
const revokeAppPassword = vi.fn(async (id: string) => {
  created.splice(
    created.findIndex((c) => c.id === id),
    1,
  );
});
const exportPlaylist = vi.fn(async (_id: string, format: string) => ({
  format,
  key: "k",
  url: "https://files.example/playlist.m3u8?sig=1",
  expiresAt: "2026-01-01T01:00:00Z",
  trackCount: 2,
}));

vi.mock("../api/endpoints", async (orig) => ({
  ...(await orig<typeof Endpoints>()),
  listGenres: async () => [
    { id: 1, name: "Rock", slug: "rock", description: null, trackCount: 3 },
    { id: 2, name: "Polka", slug: "polka", description: null, trackCount: 0 },
  ],
  createSmartPlaylist: (b: { title: string; rules: SmartRules }) => createSmartPlaylist(b),
  getSmartPlaylist: async () => smart,
  updateSmartPlaylist: (id: string, b: Partial<SmartPlaylist>) => updateSmartPlaylist(id, b),
  smartPlaylistTracks: () => smartPlaylistTracks(),
  getTrack: async () => T,
  similarTracks: async () => ({
    seed: T.id,
    items: [{ track: U, similarity: 0.9, sonic: 0.9, coListeners: 0 }],
  }),
  appPasswords: async () => ({
    items: created.map((c) => ({ ...c, hint: "abcd", createdAt: "", lastUsedAt: null })),
  }),
  createAppPassword: async (name: string) => {
    created.push({ id: `p${created.length}`, name });
    return {
      id: `p${created.length - 1}`,
      name,
      hint: "abcd",
      createdAt: "",
      lastUsedAt: null,
      password: "abcd-secret-shown-once",
    };
  },
  revokeAppPassword: (id: string) => revokeAppPassword(id),
  apiKeys: async () => ({ items: [] }),
  exportPlaylist: (id: string, f: string) => exportPlaylist(id, f),
}));
vi.mock("../api/typed", async (orig) => ({
  ...(await orig<typeof Typed>()),
  api: {
    get: vi.fn(async () => ({
      artistId: "a1",
      name: "Band",
      period: "month",
      plays: 42,
      uniqueListeners: 7,
      listeningTimeMs: 3_600_000,
      topTracks: [
        {
          trackId: T.id,
          title: "Fast Bright",
          plays: 30,
          uniqueListeners: 5,
          completionRate: 0.8,
          skipRate: 0.1,
        },
      ],
      playsPerDay: [{ day: "2026-01-01", plays: 42, uniqueListeners: 7 }],
      platforms: [{ name: "web", plays: 40 }],
      devices: [{ name: "desktop", plays: 40 }],
    })),
  },
}));
const user = { id: "u1", username: "ann", role: "artist", artistId: "a1" };
vi.mock("../auth/auth", () => ({ useAuth: () => ({ user, restoring: false }) }));

const { SmartPlaylistPage, rulesOf, draftOf, NEW_DRAFT } = await import("./smart-playlists");
const { ConnectPage, serverUrl } = await import("./connect");
const { RadioPage } = await import("./library");
const { ExportPlaylist } = await import("./playlists");
const { ArtistAnalyticsPage } = await import("./artist-analytics");

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

function renderAt(path: string) {
  render(
    <MemoryRouter initialEntries={[path]}>
      <PlayerProvider stores={[]}>
        <Routes>
          <Route path="/smart/:id" element={<SmartPlaylistPage />} />
          <Route path="/connect" element={<ConnectPage />} />
          <Route path="/radio/:id" element={<RadioPage />} />
          <Route path="/export" element={<ExportPlaylist playlistId="p1" />} />
          <Route path="/studio/analytics" element={<ArtistAnalyticsPage />} />
        </Routes>
      </PlayerProvider>
    </MemoryRouter>,
  );
}

describe("smart playlist editor", () => {
  it("turns the form into the API's rules and back (percentages, LUFS, empty bounds left out)", () => {
    const draft = {
      ...NEW_DRAFT,
      title: "x",
      genres: ["rock"],
      ranges: {
        ...NEW_DRAFT.ranges,
        tempo: { min: "120", max: "" },
        energy: { min: "60", max: "90" },
        loudness: { min: "", max: "-8" },
      },
      liked: true,
      minRating: "4",
      addedWithinDays: "30",
    };
    const rules = rulesOf(draft);
    expect(rules).toEqual({
      genres: ["rock"],
      tempo: { min: 120 },
      energy: { min: 0.6, max: 0.9 },
      loudness: { max: -8 },
      liked: true,
      rating: { min: 4 },
      addedWithinDays: 30,
    });
    expect(rulesOf(NEW_DRAFT)).toEqual({});
    const back = draftOf({
      ...smart,
      ...{ rules, title: "x", description: null },
    });
    expect(back.ranges.energy).toEqual({ min: "60", max: "90" });
    expect(back.minRating).toBe("4");
  });

  it("creates one from rules and previews the tracks that match; a change updates the preview", async () => {
    renderAt("/smart/new");
    await userEvent.type(await screen.findByLabelText("Name"), "Fast and bright");
    // Only genres that have tracks are offered.
    expect(await screen.findByRole("checkbox", { name: "Rock" })).toBeInTheDocument();
    expect(screen.queryByRole("checkbox", { name: "Polka" })).toBeNull();
    await userEvent.click(screen.getByRole("checkbox", { name: "Rock" }));
    await userEvent.type(screen.getByLabelText("Tempo from"), "120");
    await userEvent.type(screen.getByLabelText("Energy from"), "70");
    await userEvent.click(screen.getByRole("checkbox", { name: "Only songs I liked" }));
    await userEvent.selectOptions(screen.getByLabelText("Your rating"), "4");
    await userEvent.type(screen.getByLabelText("Added within (days)"), "30");
    await userEvent.click(screen.getByRole("button", { name: "Create and preview" }));
    expect(createSmartPlaylist).toHaveBeenCalledWith(
      expect.objectContaining({
        title: "Fast and bright",
        rules: {
          genres: ["rock"],
          tempo: { min: 120 },
          energy: { min: 0.7 },
          liked: true,
          rating: { min: 4 },
          addedWithinDays: 30,
        },
      }),
    );
    const preview = await screen.findByRole("list", { name: "Tracks matching Fast and bright" });
    expect(within(preview).getByText("Fast Bright")).toBeInTheDocument();

    const tempo = screen.getByLabelText("Tempo from");
    await userEvent.clear(tempo);
    await userEvent.type(tempo, "250");
    await userEvent.click(screen.getByRole("button", { name: "Save and preview" }));
    expect(updateSmartPlaylist).toHaveBeenCalled();
    expect(await screen.findByText(/No track matches these rules yet/)).toBeInTheDocument();
  });
});

describe("connect a player app", () => {
  it("gives the absolute server URL apps need", () => {
    expect(serverUrl("http://localhost:8000", "http://localhost:3000")).toBe(
      "http://localhost:8000",
    );
    expect(serverUrl("", "https://music.example")).toBe("https://music.example");
  });

  it("creates an app password, shows it once, lists it and revokes it", async () => {
    vi.spyOn(window, "confirm").mockReturnValue(true);
    renderAt("/connect");
    expect(screen.getByRole("heading", { name: "Connect a player app" })).toBeInTheDocument();
    const section = screen.getByRole("region", { name: "App passwords" });
    await userEvent.type(within(section).getByLabelText("Name"), "Symfonium");
    await userEvent.click(within(section).getByRole("button", { name: "Create app password" }));
    expect(await within(section).findByLabelText("The new app password")).toHaveTextContent(
      "abcd-secret-shown-once",
    );
    expect(within(section).getByText(/shown only once/)).toBeInTheDocument();
    const row = await within(section).findByRole("row", { name: /Symfonium/ });
    // The list never shows the secret, only its first characters.
    expect(row).not.toHaveTextContent("secret-shown-once");
    await userEvent.click(within(row).getByRole("button", { name: "Revoke Symfonium" }));
    expect(revokeAppPassword).toHaveBeenCalledWith("p0");
    await waitFor(() =>
      expect(within(section).queryByRole("row", { name: /Symfonium/ })).toBeNull(),
    );
  });
});

describe("more like this", () => {
  it("lists the similar tracks and plays them as a radio after the seed", async () => {
    renderAt(`/radio/${T.id}`);
    expect(await screen.findByRole("heading", { name: "More like “Fast Bright”" })).toBeVisible();
    const list = await screen.findByRole("list", { name: "More like Fast Bright" });
    expect(within(list).getByText("Nearby Tune")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Play radio" })).toBeEnabled();
  });
});

describe("playlist export", () => {
  it("exports in the chosen format and offers the signed download link", async () => {
    renderAt("/export");
    await userEvent.selectOptions(screen.getByLabelText("Export as"), "xspf");
    await userEvent.click(screen.getByRole("button", { name: "Export" }));
    expect(exportPlaylist).toHaveBeenCalledWith("p1", "xspf");
    const link = await screen.findByRole("link", { name: /Download XSPF/ });
    expect(link).toHaveAttribute("href", "https://files.example/playlist.m3u8?sig=1");
  });
});

describe("the artist's own analytics", () => {
  it("shows plays, listeners and top tracks with completion and skip rates", async () => {
    renderAt("/studio/analytics");
    expect(await screen.findByTestId("artist-plays")).toHaveTextContent("42");
    const row = screen.getByRole("row", { name: /Fast Bright/ });
    expect(row).toHaveTextContent("80%");
    expect(row).toHaveTextContent("10%");
  });
});
