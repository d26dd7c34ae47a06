// @vitest-environment jsdom
import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { BarChart, ColumnChart, Heatmap, LineChart } from "./charts";

afterEach(cleanup);

describe("charts", () => {
  it("draws one bar per item, longest for the largest value, and the same numbers as a table", () => {
    render(
      <BarChart
        title="Top artists"
        valueLabel="Plays"
        data={[
          { label: "Nadia", value: 12, text: "12 plays" },
          { label: "Miles", value: 3, text: "3 plays" },
        ]}
      />,
    );
    const figure = screen.getByRole("figure", { name: "Top artists" });
    const bars = within(figure).getAllByTestId("bar");
    expect(bars).toHaveLength(2);
    const widths = bars.map((b) => Number(b.querySelector("rect")!.getAttribute("width")));
    expect(widths[0]).toBeGreaterThan(widths[1]! * 3);
    expect(
      screen.getByRole("img", { name: /Top artists: Nadia 12 plays, Miles 3 plays/ }),
    ).toBeInTheDocument();
    const table = screen.getByRole("table", { name: "Top artists" });
    expect(within(table).getByRole("rowheader", { name: "Nadia" })).toBeInTheDocument();
    expect(within(table).getByText("3 plays")).toBeInTheDocument();
  });

  it("says there is no data instead of drawing an empty chart", () => {
    render(<BarChart title="Top genres" data={[]} />);
    expect(screen.getByText("No data for this period yet.")).toBeInTheDocument();
    expect(screen.queryByRole("img")).not.toBeInTheDocument();
  });

  it("puts a column per day with the day in words", () => {
    render(
      <ColumnChart
        title="Listening time per day"
        data={[
          { label: "2026-11-24", value: 60_000, text: "1 min" },
          { label: "2026-11-25", value: 0, text: "0 s" },
          { label: "2026-11-26", value: 180_000, text: "3 min" },
        ]}
      />,
    );
    expect(screen.getAllByTestId("column")).toHaveLength(3);
    expect(screen.getByText("2026-11-26: 3 min")).toBeInTheDocument(); // the SVG <title> tooltip
  });

  it("lays out 7 × 24 cells and names the busiest hour", () => {
    render(
      <Heatmap
        title="When you listen"
        cells={[
          { weekday: 1, hour: 8, value: 2 },
          { weekday: 5, hour: 21, value: 9 },
        ]}
      />,
    );
    expect(screen.getAllByTestId("heat-cell")).toHaveLength(7 * 24);
    expect(
      screen.getByRole("img", { name: /busiest on Fri at 21:00 with 9 plays/ }),
    ).toBeInTheDocument();
    const friday = screen.getByRole("rowheader", { name: "Fri" }).closest("tr")!;
    expect(within(friday).getAllByRole("cell")[21]).toHaveTextContent("9");
    const cells = screen.getAllByTestId("heat-cell");
    const opacity = (i: number) => Number(cells[i]!.getAttribute("fill-opacity"));
    expect(opacity(4 * 24 + 21)).toBeGreaterThan(opacity(0 * 24 + 8));
    expect(opacity(0 * 24 + 8)).toBeGreaterThan(opacity(3 * 24 + 3));
  });

  it("draws a line per route", () => {
    render(
      <LineChart
        title="p95 latency"
        unit="ms"
        series={[
          {
            name: "GET /api/v1/tracks",
            points: [
              { x: "10:00", y: 12 },
              { x: "11:00", y: 30 },
            ],
          },
          { name: "POST /api/v1/auth/login", points: [{ x: "10:00", y: 250 }] },
        ]}
      />,
    );
    expect(screen.getAllByTestId("series")).toHaveLength(2);
    expect(screen.getByText("POST /api/v1/auth/login at 10:00: 250 ms")).toBeInTheDocument();
  });
});
