import { pino } from "pino";

export type Logger = pino.Logger;

/** Structured JSON logs (one line an event) on stdout. */
export function createLogger(
  level: string = "info",
  bindings: Record<string, unknown> = {},
): Logger {
  return pino({ level, base: { service: "jonquils", ...bindings } });
}
