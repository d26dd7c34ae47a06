export * from "./config";
export * from "./context";
export * from "./errors";
export * from "./logger";
export * from "./cache/cache";
export * from "./rate-limit/rate-limit";
export * from "./db/types";
export * as schema from "./db/schema";
export * from "./wiring";
// Database errors reach the API only as domain errors (toDomainError); no SQLSTATE above core.
export { toDomainError, rethrowAsDomainError, DbErrors } from "./db/errors";
export type { CachedBody, JsonText } from "./util/json-cache";
export type { Page } from "./util/page";
