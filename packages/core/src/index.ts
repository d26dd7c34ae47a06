export * from "./config";
export * from "./context";
export * from "./errors";
export * from "./logger";
export * from "./cache/cache";
export * from "./rate-limit/rate-limit";
export * from "./db/types";
export * as schema from "./db/schema";
export * from "./wiring";
// pgErrorCode: still read by routes/search.ts until its rules move to core/search (issue 18
// item 4); then this export goes. Everything else maps errors with toDomainError.
export { pgErrorCode, toDomainError, rethrowAsDomainError, DbErrors } from "./db/errors";
export type { CachedBody, JsonText } from "./util/json-cache";
export type { Page } from "./util/page";
