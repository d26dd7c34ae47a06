import type { Ctx, Logger } from "@jonquils/core";
import { refreshAnalyticsAggregates } from "@jonquils/core/analytics/refresh";

/**
 * Runs the popularity / data_warehouse refresh every `intervalMs` in this process (the AWS
 * wiring schedules the same function). Runs never overlap; failures are logged and retried
 * at the next tick.
 */
export function startAnalyticsRefresh(ctx: Ctx, intervalMs: number, log: Logger) {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = refreshAnalyticsAggregates(ctx)
      .then(
        (result) => log.debug(result, "analytics aggregates refreshed"),
        (err: unknown) => log.warn({ err }, "analytics refresh failed; retried next interval"),
      )
      .finally(() => (running = undefined));
  };
  const timer = intervalMs > 0 ? setInterval(tick, intervalMs) : undefined;
  timer?.unref();
  return {
    runNow: async () => {
      tick();
      await running;
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
