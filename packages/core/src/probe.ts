/** One adapter's liveness check, reported by /health and the monitoring checks. */
export interface Probe {
  name: string;
  adapter: string;
  /** false: the API keeps serving without it (search, analytics), so /health says "degraded". */
  critical?: boolean;
  ping(): Promise<void>;
}
