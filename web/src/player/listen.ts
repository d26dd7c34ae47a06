import { API_URL } from "../config";
import { http, session } from "../api/client";

export interface ListenEvent {
  trackId: string;
  playDurationMs: number;
  /** 0–100: how far into the track playback got. */
  completionPercentage: number;
  platform: "web";
  deviceType: "desktop" | "mobile" | "tablet";
}

export type ReportListen = (event: ListenEvent, opts?: { unloading?: boolean }) => Promise<void>;

export function deviceType(): ListenEvent["deviceType"] {
  const ua = typeof navigator !== "undefined" ? navigator.userAgent : "";
  if (/iPad|Tablet/i.test(ua)) return "tablet";
  if (/Mobi|Android|iPhone/i.test(ua)) return "mobile";
  return "desktop";
}

/**
 * POST /api/v1/analytics/listen. Anonymous listens are not recorded (the API needs a user).
 * While the page unloads, a keepalive fetch outlives it (sendBeacon cannot carry a token).
 */
export const reportListen: ReportListen = async (event, opts) => {
  if (!session.current) return;
  const path = "/api/v1/analytics/listen";
  if (opts?.unloading && session.token) {
    await fetch(`${API_URL}${path}`, {
      method: "POST",
      keepalive: true,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${session.token}` },
      body: JSON.stringify(event),
    });
    return;
  }
  await http.post(path, event);
};
