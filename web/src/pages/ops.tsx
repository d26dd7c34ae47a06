import { useState } from "react";
import { etlJobs, monitoring, routeStats, type EtlJob } from "../api/admin";
import { platformStats } from "../api/analytics";
import { apiHealth } from "../api/endpoints";
import { messageOf, statusOf } from "../api/problem";
import { LineChart } from "../charts/charts";
import { Empty, ErrorMessage, Loading } from "../components/states";
import { pick, useAsync } from "../components/use-async";
import { useTitle } from "../components/use-title";
import { formatDateTime, sentence } from "../format";

/** Operators: component health, open alerts, recent pipeline runs, API latency and errors. */
export function OpsPage() {
  useTitle("Operations");
  const [tick, setTick] = useState(0);
  const [onlyFailed, setOnlyFailed] = useState(false);
  const [hours, setHours] = useState(24);
  const health = useAsync(() => apiHealth(), [tick]);
  const alerts = useAsync(() => monitoring(), [tick]);
  const jobs = useAsync(() => etlJobs(onlyFailed ? "failed" : undefined), [tick, onlyFailed]);
  const routes = useAsync(() => routeStats(hours), [tick, hours]);
  const platform = useAsync(() => platformStats("week"), [tick]);

  return (
    <div className="ops">
      <div className="page-head">
        <h1>Operations</h1>
        <button type="button" onClick={() => setTick((t) => t + 1)}>
          Refresh
        </button>
      </div>

      <section aria-labelledby="ops-health">
        <h2 id="ops-health">Component health</h2>
        {pick(health) === "loading" && <Loading />}
        {pick(health) === "error" && <ErrorMessage error={health.error} retry={health.reload} />}
        {pick(health) === "ready" && (
          <>
            <p className={`overall ${health.data!.status}`} role="status">
              {health.data!.status === "ok"
                ? "All components are up."
                : health.data!.status === "degraded"
                  ? "Serving, with a component down."
                  : "Something critical is down."}
            </p>
            <ul className="health-grid">
              {Object.entries(health.data!.components ?? {}).map(([name, c]) => (
                <li key={name} className={`health ${c.status}`}>
                  <strong>{name}</strong>
                  <span className={`badge ${c.status}`}>{c.status === "up" ? "up" : "down"}</span>
                  <span className="muted">
                    {c.adapter} · {c.latencyMs} ms
                  </span>
                  {c.error && <span className="failure">{c.error}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="ops-alerts">
        <h2 id="ops-alerts">Open alerts</h2>
        {pick(alerts) === "loading" && <Loading />}
        {pick(alerts) === "error" &&
          (statusOf(alerts.error) === 404 || statusOf(alerts.error) === 503 ? (
            <Empty>Monitoring is not available in this deployment: {messageOf(alerts.error)}</Empty>
          ) : (
            <ErrorMessage error={alerts.error} retry={alerts.reload} />
          ))}
        {pick(alerts) === "ready" && (
          <>
            <p className="muted">
              {alerts.data!.lastRun
                ? `Last check ${formatDateTime(alerts.data!.lastRun.startedAt)}: ${alerts.data!.lastRun.status}.`
                : "The checks have not run yet (locally they start a minute after launch)."}
            </p>
            {alerts.data!.openAlerts.length === 0 ? (
              <Empty>No open alerts.</Empty>
            ) : (
              <ul className="alerts">
                {alerts.data!.openAlerts.map((a) => (
                  <li key={a.id} className={`alert ${a.severity}`}>
                    <span className={`badge ${a.severity}`}>{a.severity}</span>{" "}
                    <strong>{a.title}</strong>
                    <span className="muted">
                      {" "}
                      · {a.category} · seen {a.occurrences}× · since {formatDateTime(a.firstSeenAt)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>

      <section aria-labelledby="ops-etl">
        <div className="page-head">
          <h2 id="ops-etl">Recent ingestion runs</h2>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={onlyFailed}
              onChange={(e) => setOnlyFailed(e.target.checked)}
            />{" "}
            Failures only
          </label>
        </div>
        {pick(jobs) === "loading" && <Loading />}
        {pick(jobs) === "error" && <ErrorMessage error={jobs.error} retry={jobs.reload} />}
        {pick(jobs) === "ready" && (
          <>
            <p className="muted">
              Last 24 hours: {jobs.data!.last24h.succeeded} succeeded, {jobs.data!.last24h.failed}{" "}
              failed, {jobs.data!.last24h.running} running.
            </p>
            {jobs.data!.items.length === 0 ? (
              <Empty>No runs {onlyFailed ? "failed" : "yet"}.</Empty>
            ) : (
              <EtlTable jobs={jobs.data!.items} />
            )}
          </>
        )}
      </section>

      <section aria-labelledby="ops-routes">
        <div className="page-head">
          <h2 id="ops-routes">API latency and errors per route</h2>
          <label>
            Window{" "}
            <select value={hours} onChange={(e) => setHours(Number(e.target.value))}>
              <option value={6}>6 hours</option>
              <option value={24}>24 hours</option>
              <option value={168}>7 days</option>
            </select>
          </label>
        </div>
        {pick(routes) === "loading" && <Loading />}
        {pick(routes) === "error" && <ErrorMessage error={routes.error} retry={routes.reload} />}
        {pick(routes) === "ready" &&
          (apiRoutes(routes.data!.routes).length === 0 ? (
            <Empty>No requests recorded in this window yet.</Empty>
          ) : (
            <>
              <div className="chart-grid">
                <LineChart
                  title="p95 latency per route (ms)"
                  unit="ms"
                  series={apiRoutes(routes.data!.routes)
                    .slice(0, 6)
                    .map((r) => ({
                      name: `${r.method} ${r.route}`,
                      points: r.points.map((p) => ({
                        x: p.at.slice(5, 16).replace("T", " "),
                        y: p.p95Ms,
                      })),
                    }))}
                />
                <LineChart
                  title="Server error rate per route (%)"
                  unit="%"
                  series={apiRoutes(routes.data!.routes)
                    .slice(0, 6)
                    .map((r) => ({
                      name: `${r.method} ${r.route}`,
                      points: r.points.map((p) => ({
                        x: p.at.slice(5, 16).replace("T", " "),
                        y: Math.round(p.errorRate * 10000) / 100,
                      })),
                    }))}
                />
              </div>
              <div
                className="table-scroll"
                tabIndex={0}
                role="region"
                aria-label="Scrollable table"
              >
                <table className="table">
                  <caption>Routes in the window (busiest first)</caption>
                  <thead>
                    <tr>
                      <th scope="col">Route</th>
                      <th scope="col">Requests</th>
                      <th scope="col">Worst hourly p95</th>
                      <th scope="col">Worst hourly error rate</th>
                    </tr>
                  </thead>
                  <tbody>
                    {apiRoutes(routes.data!.routes)
                      .slice(0, 20)
                      .map((r) => (
                        <tr key={`${r.method} ${r.route}`}>
                          <td>
                            <code>
                              {r.method} {r.route}
                            </code>
                          </td>
                          <td>{r.requests}</td>
                          <td>{Math.max(...r.points.map((p) => p.p95Ms))} ms</td>
                          <td>
                            {(Math.max(...r.points.map((p) => p.errorRate)) * 100).toFixed(1)} %
                          </td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            </>
          ))}
      </section>

      <section aria-labelledby="ops-platform">
        <h2 id="ops-platform">This week on the platform</h2>
        {pick(platform) === "loading" && <Loading />}
        {pick(platform) === "error" && (
          <ErrorMessage error={platform.error} retry={platform.reload} />
        )}
        {pick(platform) === "ready" && <PlatformKpis data={platform.data!} />}
      </section>
    </div>
  );
}

function EtlTable({ jobs }: { jobs: EtlJob[] }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Scrollable table">
      <table className="table">
        <caption className="visually-hidden">Recent ingestion runs</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">File</th>
            <th scope="col">Status</th>
            <th scope="col">Took</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id}>
              <td>{formatDateTime(j.startTime)}</td>
              <td>{j.filename ?? j.jobName}</td>
              <td>
                <span className={`badge stage ${j.status === "succeeded" ? "done" : j.status}`}>
                  {j.status}
                </span>
                {j.error && <span className="failure"> {sentence(j.error)}</span>}
              </td>
              <td>{j.durationMs !== null ? `${(j.durationMs / 1000).toFixed(1)} s` : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PlatformKpis({ data }: { data: Record<string, unknown> }) {
  const n = (v: unknown) => (typeof v === "number" ? v : 0);
  const active = (data["activeUsers"] ?? {}) as Record<string, unknown>;
  const regs = (data["registrations"] ?? {}) as Record<string, unknown>;
  const kpis: [string, number][] = [
    ["Plays", n(data["plays"])],
    ["Searches", n(data["searches"])],
    ["API requests", n(data["apiRequests"])],
    ["Active users (week)", n(active["weekly"])],
    ["Sign-ups (week)", n(regs["week"])],
  ];
  return (
    <dl className="kpis">
      {kpis.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd data-testid={`platform-${k}`}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Browser preflights (OPTIONS, mostly "(no route)") are CORS plumbing, not API traffic. */
function apiRoutes<T extends { method: string; route: string }>(routes: T[]): T[] {
  return routes.filter((r) => r.method !== "OPTIONS" && r.route !== "(no route)");
}
