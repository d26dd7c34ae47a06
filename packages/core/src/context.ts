import type { AnalyticsPort } from "./analytics/port";
import type { Cache } from "./cache/cache";
import type { Db } from "./db/types";
import type { Logger } from "./logger";
import type { OutboxDrainer } from "./outbox/index";
import type { RateLimitStore } from "./rate-limit/rate-limit";
import type { SearchIndex } from "./search/port";
import type { ObjectStore } from "./storage/object-store";
import type { UserRole } from "./user/user.sql";

/** The ports every domain service may use, built once at start-up by a wiring. */
export interface Ports {
  readonly db: Db;
  readonly cache: Cache;
  readonly rateLimits: RateLimitStore;
  readonly log: Logger;
  readonly objects: ObjectStore;
  /** Search index (OpenSearch, or the embedded one on the catalog database). */
  readonly search: SearchIndex;
  /** Analytics store (ClickHouse / chDB) and the event queue that feeds it. */
  readonly analytics: AnalyticsPort;
  /** Delivers the transactional outbox (analytics events, search sync); absent in bare tools. */
  readonly outbox?: OutboxDrainer;
}

/** Who is asking, from a verified access token. */
export interface Actor {
  readonly userId: string;
  readonly role: UserRole;
}

/** Facts about the request that go into the audit log. */
export interface RequestMeta {
  readonly ip?: string | undefined;
  readonly requestId?: string | undefined;
  readonly userAgent?: string | undefined;
}

export interface Ctx extends Ports {
  readonly meta: RequestMeta;
}
