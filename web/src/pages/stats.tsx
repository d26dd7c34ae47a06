import { useState } from "react";
import { userStats, type Period } from "../api/analytics";
import { useAuth } from "../auth/auth";
import { BarChart, ColumnChart, Heatmap } from "../charts/charts";
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

const plays = (n: number) => `${n} ${n === 1 ? "play" : "plays"}`;

export function StatsPage() {
  useTitle("My stats");
  const { user } = useAuth();
  const [period, setPeriod] = useState<Period>("month");
  const state = useAsync(() => userStats(user!.id, period), [user?.id, period]);
  const s = state.data;
  return (
    <div className="stats">
      <h1>My listening</h1>
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
      {pick(state) === "ready" && s && (
        <>
          {s.plays === 0 && (
            <Empty>No listens in this period yet. Play something and come back.</Empty>
          )}
          <dl className="kpis">
            <div>
              <dt>Plays</dt>
              <dd data-testid="kpi-plays">{s.plays}</dd>
            </div>
            <div>
              <dt>Listening time</dt>
              <dd>{formatListening(s.listeningTimeMs)}</dd>
            </div>
            {s.distinctArtists !== undefined && (
              <div>
                <dt>Artists</dt>
                <dd>{s.distinctArtists}</dd>
              </div>
            )}
            {s.streak && (
              <div>
                <dt>Streak</dt>
                <dd>
                  {s.streak.currentDays} {s.streak.currentDays === 1 ? "day" : "days"}
                </dd>
              </div>
            )}
          </dl>
          <div className="chart-grid">
            <BarChart
              title="Top artists"
              valueLabel="Plays"
              data={s.topArtists.map((a) => ({
                label: a.name ?? "Unknown artist",
                value: a.plays,
                text: plays(a.plays),
              }))}
            />
            <BarChart
              title="Top tracks"
              valueLabel="Plays"
              data={s.topTracks.map((t) => ({
                label: t.title ?? "Removed track",
                value: t.plays,
                text: plays(t.plays),
              }))}
            />
            <BarChart
              title="Top genres"
              valueLabel="Plays"
              data={s.topGenres.map((g) => ({
                label: g.name ?? "No genre",
                value: g.plays,
                text: plays(g.plays),
              }))}
            />
            {s.listeningPerDay && (
              <ColumnChart
                title="Listening time per day"
                valueLabel="Listening time"
                data={s.listeningPerDay.map((d) => ({
                  label: d.day,
                  value: d.listeningTimeMs,
                  text: formatListening(d.listeningTimeMs),
                }))}
              />
            )}
            {s.activity ? (
              <Heatmap
                title="When you listen (hour × weekday, UTC)"
                cells={s.activity.map((c) => ({
                  weekday: c.weekday,
                  hour: c.hour,
                  value: c.plays,
                }))}
              />
            ) : (
              <>
                {s.activityByHour && (
                  <ColumnChart
                    title="Plays by hour of day (UTC)"
                    valueLabel="Plays"
                    tick={(l) => l}
                    data={s.activityByHour.map((h) => ({ label: `${h.hour}h`, value: h.plays }))}
                  />
                )}
                {s.activityByWeekday && (
                  <BarChart
                    title="Plays by weekday"
                    valueLabel="Plays"
                    data={s.activityByWeekday.map((w) => ({
                      label:
                        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][w.weekday - 1] ??
                        String(w.weekday),
                      value: w.plays,
                    }))}
                  />
                )}
              </>
            )}
          </div>
        </>
      )}
    </div>
  );
}
