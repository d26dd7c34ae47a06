// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { Highlighted } from "../components/highlight";
import { normalisePage, normaliseSuggestions } from "./search";

afterEach(cleanup);

describe("search answers", () => {
  it("reads track hits with their highlight", () => {
    const page = normalisePage<{ id: string; title: string }>(
      {
        query: "aurora drfit",
        total: 1,
        limit: 20,
        offset: 0,
        nextOffset: null,
        items: [
          {
            kind: "track",
            id: "t1",
            title: "Aurora Drift",
            score: 3.2,
            highlight: { title: "Aurora <mark>Drift</mark>", subtitle: "<mark>Nadia</mark>" },
          },
        ],
      },
      "track",
    );
    expect(page.total).toBe(1);
    expect(page.hits[0]!.item.title).toBe("Aurora Drift");
    expect(page.hits[0]!.highlights).toEqual({
      title: ["Aurora <mark>Drift</mark>"],
      subtitle: ["<mark>Nadia</mark>"],
    });
  });

  it("reads suggestions of every kind", () => {
    expect(
      normaliseSuggestions({
        items: [
          { kind: "track", id: "t1", text: "Aurora Drift", subtitle: "Nadia", highlight: "x" },
          { kind: "playlist", id: "p1", text: "Road trip", subtitle: "ann", highlight: "x" },
          { kind: "weird", id: "w", text: "Something" },
        ],
      }),
    ).toEqual([
      { label: "Aurora Drift", kind: "track", id: "t1", subtitle: "Nadia" },
      { label: "Road trip", kind: "playlist", id: "p1", subtitle: "ann" },
      { label: "Something", kind: "query" },
    ]);
  });

  it("shows matches as <mark> without ever injecting the engine's HTML", () => {
    const { container } = render(
      <Highlighted text={'Tom &amp; <mark>Jerry</mark> &lt;img src=x onerror="alert(1)"&gt;'} />,
    );
    expect(container.querySelector("mark")).toHaveTextContent("Jerry");
    expect(container.querySelector("img")).toBeNull();
    expect(container).toHaveTextContent('Tom & Jerry <img src=x onerror="alert(1)">');
  });
});
