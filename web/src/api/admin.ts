import { http } from "./client";

export interface EtlJob {
  id: string;
  jobName: string;
  status: "running" | "succeeded" | "failed";
  startTime: string;
  endTime: string | null;
  durationMs: number | null;
  uploadId: string | null;
  filename: string | null;
  error: string | null;
}

export interface EtlJobPage {
  items: EtlJob[];
  nextOffset: number | null;
  last24h: { running: number; succeeded: number; failed: number };
}

export interface RouteStats {
  from: string;
  routes: {
    method: string;
    route: string;
    requests: number;
    points: { at: string; requests: number; errorRate: number; p95Ms: number }[];
  }[];
}

export interface Alert {
  id: string;
  key: string;
  category: string;
  severity: "info" | "warning" | "critical";
  title: string;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface Monitoring {
  lastRun: { startedAt: string; status: "ok" | "alerting" | "failed"; trigger: string } | null;
  openAlerts: Alert[];
}

export const etlJobs = async (status?: EtlJob["status"]) =>
  (
    await http.get<EtlJobPage>("/api/v1/admin/etl-jobs", {
      params: { limit: 20, ...(status ? { status } : {}) },
    })
  ).data;
export const routeStats = async (hours = 24) =>
  (await http.get<RouteStats>("/api/v1/admin/route-stats", { params: { hours } })).data;
export const monitoring = async () => (await http.get<Monitoring>("/api/v1/admin/monitoring")).data;
