// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

const put = vi.fn(async (_path: string, o: { body: { rating: number | null } }) => ({
  albumId: "al1",
  rating: o.body.rating,
}));
vi.mock("../api/typed", () => ({
  api: {
    get: vi.fn(async () => ({ albumId: "al1", rating: 3 })),
    put: (path: string, o: { body: { rating: number | null } }) => put(path, o),
  },
}));
const user = { id: "u1", username: "ann", role: "user" };
vi.mock("../auth/auth", () => ({ useAuth: () => ({ user, restoring: false }) }));
const { AlbumStarRating } = await import("./controls");

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("album ratings", () => {
  it("shows the account's rating of the album and changes it", async () => {
    render(<AlbumStarRating album={{ id: "al1", title: "Record" }} />);
    const three = screen.getByRole("radio", { name: "3 stars" });
    await waitFor(() => expect(three).toBeChecked());
    await userEvent.click(screen.getByRole("radio", { name: "5 stars" }));
    expect(put).toHaveBeenCalledWith("/api/v1/albums/{id}/rating", {
      path: { id: "al1" },
      body: { rating: 5 },
    });
    expect(screen.getByRole("radio", { name: "5 stars" })).toBeChecked();
    await userEvent.click(screen.getByRole("button", { name: "Clear rating" }));
    expect(put).toHaveBeenLastCalledWith("/api/v1/albums/{id}/rating", {
      path: { id: "al1" },
      body: { rating: null },
    });
  });

  it("puts the stars back and says why when the API refuses", async () => {
    put.mockRejectedValueOnce(new Error("The server had a problem."));
    render(<AlbumStarRating album={{ id: "al1", title: "Record" }} />);
    await waitFor(() => expect(screen.getByRole("radio", { name: "3 stars" })).toBeChecked());
    await userEvent.click(screen.getByRole("radio", { name: "1 star" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The server had a problem.");
    expect(screen.getByRole("radio", { name: "3 stars" })).toBeChecked();
  });
});
