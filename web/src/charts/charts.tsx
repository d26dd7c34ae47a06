/**
 * Small hand-written SVG charts (a charting library would cost more than the whole app's
 * budget). Each is a <figure> with a caption, an SVG for the eye and the same numbers as a
 * table for screen readers; an empty data set shows a sentence instead of an empty frame.
 */
import { useId, type ReactNode } from "react";

export interface Datum {
  label: string;
  value: number;
  /** How the value reads in words, e.g. "12 plays". Defaults to the number. */
  text?: string;
}

function ChartTable({
  caption,
  rows,
  head,
}: {
  caption: string;
  rows: [string, string][];
  head: [string, string];
}) {
  return (
    <div className="visually-hidden">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{head[0]}</th>
            <th scope="col">{head[1]}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([a, b], i) => (
            <tr key={i}>
              <th scope="row">{a}</th>
              <td>{b}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Frame({ title, children, empty }: { title: string; children: ReactNode; empty: boolean }) {
  const id = useId();
  return (
    <figure className="chart" aria-labelledby={id}>
      <figcaption id={id}>{title}</figcaption>
      {empty ? <p className="state state-empty">No data for this period yet.</p> : children}
    </figure>
  );
}

/** Horizontal bars: top artists, tracks, genres. */
export function BarChart({
  title,
  data,
  valueLabel = "Value",
}: {
  title: string;
  data: Datum[];
  valueLabel?: string;
}) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const row = 30;
  const labelW = 170;
  const width = 480;
  const barW = width - labelW - 70;
  return (
    <Frame title={title} empty={data.length === 0 || data.every((d) => d.value === 0)}>
      <svg
        className="bar-chart"
        viewBox={`0 0 ${width} ${data.length * row + 8}`}
        role="img"
        aria-label={`${title}: ${data
          .slice(0, 3)
          .map((d) => `${d.label} ${d.text ?? d.value}`)
          .join(", ")}${data.length > 3 ? ", …" : ""}`}
        preserveAspectRatio="xMinYMin meet"
      >
        {data.map((d, i) => {
          const w = Math.max(2, (d.value / max) * barW);
          const y = i * row + 4;
          return (
            <g key={`${d.label}-${i}`} data-testid="bar">
              <text x={labelW - 8} y={y + 19} textAnchor="end" className="chart-label">
                {d.label.length > 20 ? `${d.label.slice(0, 19)}…` : d.label}
              </text>
              <rect x={labelW} y={y + 4} width={w} height={row - 10} rx={3} className="chart-bar">
                <title>{`${d.label}: ${d.text ?? d.value}`}</title>
              </rect>
              <text x={labelW + w + 6} y={y + 19} className="chart-value">
                {d.text ?? d.value}
              </text>
            </g>
          );
        })}
      </svg>
      <ChartTable
        caption={title}
        head={["Name", valueLabel]}
        rows={data.map((d) => [d.label, d.text ?? String(d.value)])}
      />
    </Frame>
  );
}

/** Columns over time: listening time per day. */
export function ColumnChart({
  title,
  data,
  valueLabel = "Value",
  tick = (label) => label.slice(5),
}: {
  title: string;
  data: Datum[];
  valueLabel?: string;
  /** Axis text under a column; default: an ISO date without its year. */
  tick?: (label: string) => string;
}) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const height = 160;
  const colW = Math.max(6, Math.min(18, 420 / Math.max(1, data.length)));
  // A fixed plot width: a week of data (or a single day) must not stretch into a giant column.
  const width = Math.max(428, data.length * colW + 8);
  const every = Math.ceil(data.length / 8);
  return (
    <Frame title={title} empty={data.length === 0 || data.every((d) => d.value === 0)}>
      <svg
        className="column-chart"
        viewBox={`0 0 ${width} ${height + 22}`}
        role="img"
        aria-label={`${title}, ${data.length} days`}
      >
        {data.map((d, i) => {
          const h = (d.value / max) * height;
          return (
            <g key={`${d.label}-${i}`} data-testid="column">
              <rect
                x={i * colW + 4}
                y={height - h}
                width={colW - 2}
                height={Math.max(h, d.value > 0 ? 1 : 0)}
                className="chart-bar"
              >
                <title>{`${d.label}: ${d.text ?? d.value}`}</title>
              </rect>
              {i % every === 0 && (
                <text x={i * colW + 4} y={height + 16} className="chart-label small">
                  {tick(d.label)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ChartTable
        caption={title}
        head={["When", valueLabel]}
        rows={data.map((d) => [d.label, d.text ?? String(d.value)])}
      />
    </Frame>
  );
}

export interface HeatCell {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** 0–23 */
  hour: number;
  value: number;
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Hour × weekday activity. */
export function Heatmap({
  title,
  cells,
  unit = "plays",
}: {
  title: string;
  cells: HeatCell[];
  unit?: string;
}) {
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const c of cells) {
    if (c.weekday >= 1 && c.weekday <= 7 && c.hour >= 0 && c.hour < 24)
      grid[c.weekday - 1]![c.hour]! += c.value;
  }
  const max = Math.max(0, ...grid.flat());
  const size = 18;
  const left = 36;
  const busiest = cells.length > 0 ? cells.reduce((a, b) => (b.value > a.value ? b : a)) : null;
  return (
    <Frame title={title} empty={max === 0}>
      <svg
        className="heatmap"
        viewBox={`0 0 ${left + 24 * size} ${7 * size + 20}`}
        role="img"
        aria-label={
          busiest
            ? `${title}: busiest on ${WEEKDAYS[busiest.weekday - 1]} at ${busiest.hour}:00 with ${busiest.value} ${unit}`
            : title
        }
      >
        {grid.map((row, d) =>
          row.map((v, h) => (
            <rect
              key={`${d}-${h}`}
              data-testid="heat-cell"
              x={left + h * size}
              y={d * size}
              width={size - 2}
              height={size - 2}
              rx={2}
              className="heat-cell"
              fillOpacity={v === 0 ? 0.06 : 0.2 + 0.8 * (v / max)}
            >
              <title>{`${WEEKDAYS[d]} ${String(h).padStart(2, "0")}:00 — ${v} ${unit}`}</title>
            </rect>
          )),
        )}
        {WEEKDAYS.map((w, d) => (
          <text key={w} x={0} y={d * size + 13} className="chart-label small">
            {w}
          </text>
        ))}
        {[0, 6, 12, 18].map((h) => (
          <text key={h} x={left + h * size} y={7 * size + 14} className="chart-label small">
            {h}h
          </text>
        ))}
      </svg>
      <div className="visually-hidden">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {Array.from({ length: 24 }, (_, h) => (
                <th scope="col" key={h}>
                  {h}:00
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.map((row, d) => (
              <tr key={d}>
                <th scope="row">{WEEKDAYS[d]}</th>
                {row.map((v, h) => (
                  <td key={h}>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Frame>
  );
}

export interface Series {
  name: string;
  points: { x: string; y: number }[];
}

/** Lines over time (operators: p95 latency or error rate per route). */
export function LineChart({
  title,
  series,
  unit,
}: {
  title: string;
  series: Series[];
  unit: string;
}) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort();
  const max = Math.max(1e-9, ...series.flatMap((s) => s.points.map((p) => p.y)));
  const w = 520;
  const h = 160;
  const x = (v: string) =>
    xs.length <= 1 ? w / 2 : (xs.indexOf(v) / (xs.length - 1)) * (w - 20) + 10;
  const y = (v: number) => h - (v / max) * (h - 10);
  return (
    <Frame title={title} empty={xs.length === 0}>
      <svg
        className="line-chart"
        viewBox={`0 0 ${w} ${h + 20}`}
        role="img"
        aria-label={`${title} for ${series.length} series`}
      >
        {series.map((s, i) => (
          <g key={s.name} className={`series series-${i % 6}`} data-testid="series">
            <polyline
              fill="none"
              strokeWidth={2}
              points={s.points.map((p) => `${x(p.x)},${y(p.y)}`).join(" ")}
            />
            {s.points.map((p) => (
              <circle key={p.x} cx={x(p.x)} cy={y(p.y)} r={3}>
                <title>{`${s.name} at ${p.x}: ${p.y} ${unit}`}</title>
              </circle>
            ))}
          </g>
        ))}
        <text x={4} y={12} className="chart-label small">
          {`max ${Math.round(max * 100) / 100} ${unit}`}
        </text>
        {xs.length > 0 && (
          <text x={x(xs[0]!)} y={h + 16} className="chart-label small" textAnchor="middle">
            {xs[0]}
          </text>
        )}
        {xs.length > 1 && (
          <text x={x(xs.at(-1)!)} y={h + 16} className="chart-label small" textAnchor="end">
            {xs.at(-1)}
          </text>
        )}
      </svg>
      <ul className="legend">
        {series.map((s, i) => (
          <li key={s.name} className={`series-${i % 6}`}>
            {s.name}
          </li>
        ))}
      </ul>
      <ChartTable
        caption={title}
        head={["Series and time", unit]}
        rows={series.flatMap((s) =>
          s.points.map((p): [string, string] => [`${s.name} ${p.x}`, String(p.y)]),
        )}
      />
    </Frame>
  );
}
