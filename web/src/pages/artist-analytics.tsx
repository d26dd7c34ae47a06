import { useState } from "react";
import { Link } from "react-router-dom";
import type { Period } from "../api/analytics";
import { api } from "../api/typed";
import { useAuth } from "../auth/auth";
import { BarChart, ColumnChart } from "../charts/charts";
import { Empty, ErrorMessage, Loading } from "../components/states";
import { pick, useAsync } from "../components/use-async";
import { useTitle } from "../components/use-title";
import { formatListening } from "../format";

const PERIODS: { value: Period; label: string }[] = [
  { value: "week", label: "Week" },
  { value: "month", label: "Month" },
  { value: "year", label: "Year" },
  { value: "all", label: "All time" },
];

const pct = (share: number) => `${Math.round(share * 100)}%`;
const plays = (n: number) => `${n} ${n === 1 ? "play" : "plays"}`;

/** An artist's own analytics: plays, listeners, listening time, top tracks, days, platforms. */
export function ArtistAnalyticsPage() {
  useTitle("Your audience");
  const { user } = useAuth();
  const [period, setPeriod] = useState<Period>("month");
  const artistId = user?.artistId ?? null;
  const state = useAsync(
    () =>
      artistId
        ? api.get("/api/v1/analytics/artist/{id}", { path: { id: artistId }, query: { period } })
        : Promise.resolve(null),
    [artistId, period],
  );
  if (!artistId) {
    return (
      <div>
        <h1>Your audience</h1>
        <Empty>
          This is for artists. <Link to="/studio">Create your artist profile</Link> first.
        </Empty>
      </div>
    );
  }
  const a = state.data;
  return (
    <div className="stats">
      <p className="eyebrow">Studio</p>
      <h1>Your audience{a ? ` — ${a.name}` : ""}</h1>
      <div role="radiogroup" aria-label="Period" className="tabs">
        {PERIODS.map((p) => (
          <button
            key={p.value}
            type="button"
            role="radio"
            aria-checked={period === p.value}
            onClick={() => setPeriod(p.value)}
          >
            {p.label}
          </button>
        ))}
      </div>
      {pick(state) === "loading" && <Loading />}
      {pick(state) === "error" && <ErrorMessage error={state.error} retry={state.reload} />}
      {pick(state) === "ready" && a && (
        <>
          {a.plays === 0 && <Empty>No plays of your tracks in this period yet.</Empty>}
          <dl className="kpis">
            <div>
              <dt>Plays</dt>
              <dd data-testid="artist-plays">{a.plays}</dd>
            </div>
            <div>
              <dt>Listeners</dt>
              <dd>{a.uniqueListeners}</dd>
            </div>
            <div>
              <dt>Listening time</dt>
              <dd>{formatListening(a.listeningTimeMs)}</dd>
            </div>
          </dl>
          {a.topTracks.length > 0 && (
            <table className="table">
              <caption>Top tracks</caption>
              <thead>
                <tr>
                  <th scope="col">Track</th>
                  <th scope="col">Plays</th>
                  <th scope="col">Listeners</th>
                  <th scope="col">Finished</th>
                  <th scope="col">Skipped</th>
                </tr>
              </thead>
              <tbody>
                {a.topTracks.map((t) => (
                  <tr key={t.trackId}>
                    <th scope="row">
                      <Link to={`/tracks/${t.trackId}`}>{t.title ?? "Removed track"}</Link>
                    </th>
                    <td>{t.plays}</td>
                    <td>{t.uniqueListeners}</td>
                    <td>{pct(t.completionRate)}</td>
                    <td>{pct(t.skipRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="chart-grid">
            <ColumnChart
              title="Plays per day"
              valueLabel="Plays"
              data={a.playsPerDay.map((d) => ({
                label: d.day,
                value: d.plays,
                text: plays(d.plays),
              }))}
            />
            <BarChart
              title="Platforms"
              valueLabel="Plays"
              data={a.platforms.map((p) => ({
                label: p.name,
                value: p.plays,
                text: plays(p.plays),
              }))}
            />
            <BarChart
              title="Devices"
              valueLabel="Plays"
              data={a.devices.map((d) => ({ label: d.name, value: d.plays, text: plays(d.plays) }))}
            />
          </div>
        </>
      )}
    </div>
  );
}
