// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, useLocation } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Suggestion } from "../api/search";
import { SearchBox } from "./search-box";

afterEach(cleanup);

function Where() {
  const l = useLocation();
  return <output data-testid="where">{l.pathname + l.search}</output>;
}

const SUGGESTIONS: Suggestion[] = [
  { label: "Night Drive", kind: "track", id: "11111111-1111-4111-8111-111111111111" },
  { label: "Nadia Lindqvist", kind: "artist", id: "22222222-2222-4222-8222-222222222222" },
  { label: "night", kind: "query" },
];

function setup(suggest = vi.fn(async (_q: string) => SUGGESTIONS)) {
  render(
    <MemoryRouter initialEntries={["/"]}>
      <SearchBox suggest={suggest} />
      <Where />
    </MemoryRouter>,
  );
  const input = screen.getByRole("combobox", { name: "Search tracks, artists and albums" });
  return { suggest, input, user: userEvent.setup() };
}

describe("search box", () => {
  it("suggests as you type, once per pause rather than per keystroke, with the text as typed", async () => {
    const { suggest, input, user } = setup();
    await user.type(input, "nigt drv"); // typos are the engine's job: the text goes as typed
    const list = await screen.findByRole("listbox", { name: "Suggestions" });
    expect(list).toBeVisible();
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Night Drivetrack",
      "Nadia Lindqvistartist",
      "night",
    ]);
    expect(input).toHaveAttribute("aria-expanded", "true");
    expect(suggest).toHaveBeenCalledTimes(1);
    expect(suggest.mock.calls[0]![0]).toBe("nigt drv");
  });

  it("does not ask for one letter", async () => {
    const { suggest, input, user } = setup();
    await user.type(input, "n");
    await new Promise((r) => setTimeout(r, 300));
    expect(suggest).not.toHaveBeenCalled();
    expect(screen.getByRole("listbox", { hidden: true })).not.toBeVisible();
  });

  it("moves through suggestions with the arrow keys and opens the chosen track", async () => {
    const { input, user } = setup();
    await user.type(input, "night");
    await screen.findByRole("listbox");
    await user.keyboard("{ArrowDown}");
    const first = screen.getAllByRole("option")[0]!;
    expect(first).toHaveAttribute("aria-selected", "true");
    expect(input).toHaveAttribute("aria-activedescendant", first.id);
    await user.keyboard("{Enter}");
    expect(screen.getByTestId("where")).toHaveTextContent(
      "/tracks/11111111-1111-4111-8111-111111111111",
    );
  });

  it("searches for the typed text on Enter and closes on Escape", async () => {
    const { input, user } = setup();
    await user.type(input, "blue hour");
    await screen.findByRole("listbox");
    await user.keyboard("{Escape}");
    expect(input).toHaveAttribute("aria-expanded", "false");
    await user.keyboard("{Enter}");
    expect(screen.getByTestId("where")).toHaveTextContent("/search?q=blue%20hour");
  });

  it("picks a suggestion with the mouse", async () => {
    const { input, user } = setup();
    await user.type(input, "nadia");
    await user.click(await screen.findByRole("option", { name: /Nadia Lindqvist/ }));
    expect(screen.getByTestId("where")).toHaveTextContent(
      "/artists/22222222-2222-4222-8222-222222222222",
    );
  });

  it("keeps working when suggestions fail", async () => {
    const { input, user } = setup(vi.fn(async () => Promise.reject(new Error("down"))));
    await user.type(input, "night");
    expect(await screen.findByText("Suggestions are unavailable right now.")).toHaveAttribute(
      "role",
      "status",
    );
    await user.keyboard("{Enter}");
    expect(screen.getByTestId("where")).toHaveTextContent("/search?q=night");
  });
});
