// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Period, UserStats } from "../api/analytics";

const userStats = vi.fn<(id: string, period: Period) => Promise<UserStats>>();
vi.mock("../api/analytics", () => ({ userStats: (id: string, p: Period) => userStats(id, p) }));
vi.mock("../auth/auth", () => ({
  useAuth: () => ({ user: { id: "u1", username: "ann", role: "user" }, restoring: false }),
}));
const { StatsPage } = await import("./stats");

afterEach(() => {
  cleanup();
  userStats.mockReset();
});

const stats = (over: Partial<UserStats> = {}): UserStats => ({
  period: "month",
  plays: 7,
  listeningTimeMs: 25 * 60_000,
  distinctArtists: 2,
  topTracks: [{ trackId: "t1", title: "Aurora Drift", plays: 5, listeningTimeMs: 60_000 }],
  topArtists: [
    { artistId: "a1", name: "Nadia", plays: 5, listeningTimeMs: 60_000 },
    { artistId: "a2", name: "Miles", plays: 2, listeningTimeMs: 30_000 },
  ],
  topGenres: [{ genreId: 1, name: "Electronic", plays: 7, listeningTimeMs: 90_000 }],
  streak: { currentDays: 3, longestDays: 4 },
  ...over,
});

describe("my stats page", () => {
  it("shows totals and the top artists, tracks and genres for the chosen period", async () => {
    userStats.mockResolvedValue(stats());
    render(
      <MemoryRouter>
        <StatsPage />
      </MemoryRouter>,
    );
    expect(await screen.findByTestId("kpi-plays")).toHaveTextContent("7");
    expect(screen.getByText("25 min")).toBeInTheDocument();
    const artists = screen.getByRole("table", { name: "Top artists" });
    expect(within(artists).getAllByRole("row")).toHaveLength(3); // header + 2
    expect(
      within(screen.getByRole("table", { name: "Top tracks" })).getByText("Aurora Drift"),
    ).toBeInTheDocument();
    expect(userStats).toHaveBeenLastCalledWith("u1", "month");

    userStats.mockResolvedValue(stats({ period: "week", plays: 1 }));
    await userEvent.setup().click(screen.getByRole("radio", { name: "Week" }));
    expect(userStats).toHaveBeenLastCalledWith("u1", "week");
    expect(
      await screen.findByText("1", { selector: "[data-testid=kpi-plays]" }),
    ).toBeInTheDocument();
  });

  it("draws listening time per day and the hour × weekday heatmap when the API sends them", async () => {
    userStats.mockResolvedValue(
      stats({
        listeningPerDay: [
          { day: "2026-11-25", listeningTimeMs: 120_000 },
          { day: "2026-11-26", listeningTimeMs: 60_000 },
        ],
        activity: [{ weekday: 4, hour: 10, plays: 3 }],
      }),
    );
    render(
      <MemoryRouter>
        <StatsPage />
      </MemoryRouter>,
    );
    expect(
      await screen.findByRole("figure", { name: "Listening time per day" }),
    ).toBeInTheDocument();
    expect(screen.getAllByTestId("column")).toHaveLength(2);
    expect(
      screen.getByRole("img", { name: /busiest on Thu at 10:00 with 3 plays/ }),
    ).toBeInTheDocument();
  });

  it("falls back to hour and weekday charts, and says when there is nothing yet", async () => {
    userStats.mockResolvedValue(
      stats({
        plays: 0,
        listeningTimeMs: 0,
        topTracks: [],
        topArtists: [],
        topGenres: [],
        activityByHour: Array.from({ length: 24 }, (_, hour) => ({ hour, plays: 0 })),
        activityByWeekday: Array.from({ length: 7 }, (_, i) => ({ weekday: i + 1, plays: 0 })),
      }),
    );
    render(
      <MemoryRouter>
        <StatsPage />
      </MemoryRouter>,
    );
    expect(
      await screen.findByText("No listens in this period yet. Play something and come back."),
    ).toBeInTheDocument();
    expect(screen.getByRole("figure", { name: "Plays by hour of day (UTC)" })).toHaveTextContent(
      "No data for this period yet.",
    );
  });

  it("explains a failure in words and retries", async () => {
    const { AxiosError } = await import("axios");
    userStats.mockRejectedValueOnce(
      new AxiosError("x", "ERR_BAD_RESPONSE", undefined, undefined, {
        status: 503,
        data: { code: "analytics_unavailable", detail: "Analytics are not available right now." },
      } as never),
    );
    userStats.mockResolvedValue(stats());
    render(
      <MemoryRouter>
        <StatsPage />
      </MemoryRouter>,
    );
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Analytics are not available right now.",
    );
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("kpi-plays")).toHaveTextContent("7");
  });
});
