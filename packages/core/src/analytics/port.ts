import type { EventQueue } from "../queue/queue";
import {
  listenRecord,
  searchRecord,
  type AnalyticsRecord,
  type ListenEvent,
  type SearchEvent,
} from "./records";
import type { AnalyticsStore } from "./store";

/** Analytics as the domain sees it: a store to read, a queue to write through. */
export interface AnalyticsPort {
  readonly store: AnalyticsStore;
  readonly queue: EventQueue<AnalyticsRecord>;
}

/** A search ran (hook for the search routes): enqueued, never awaited. */
export function recordSearch(
  analytics: AnalyticsPort,
  event: Omit<SearchEvent, "clickedResultId">,
) {
  analytics.queue.enqueue(searchRecord({ ...event, clickedResultId: null }));
}

/** A search result was opened. */
export function recordSearchClick(
  analytics: AnalyticsPort,
  event: SearchEvent & { clickedResultId: string },
) {
  analytics.queue.enqueue(searchRecord(event));
}

export function recordListenEvent(analytics: AnalyticsPort, event: ListenEvent) {
  analytics.queue.enqueue(listenRecord(event));
}
