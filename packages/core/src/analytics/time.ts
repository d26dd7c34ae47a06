/** Periods of the analytics endpoints and the time format ClickHouse parameters use. */

export type Period = "week" | "month" | "year" | "all";
export const PERIOD_DAYS: Record<Exclude<Period, "all">, number> = {
  week: 7,
  month: 30,
  year: 365,
};

/** ClickHouse's DateTime64(3) text for a time (UTC): `2026-12-03 13:45:00.123`. */
export function chTime(at: Date | number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Start of a period as ClickHouse parameters (UTC). */
export function periodBounds(period: Period, now = Date.now()) {
  const fromMs = period === "all" ? 0 : now - PERIOD_DAYS[period] * 86_400_000;
  const from = chTime(fromMs);
  return {
    from,
    fromDay: from.slice(0, 10),
    today: new Date(now).toISOString().slice(0, 10),
  };
}
