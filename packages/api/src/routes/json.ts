import type { JsonText } from "@jonquils/core";
import type { Context, TypedResponse } from "hono";

/**
 * Sends an already-serialised JSON body (from the cache) without parsing it again.
 * Typed so it satisfies any route's declared 200 JSON response.
 */
export function sendJson(c: Context, body: JsonText): TypedResponse<never, 200, "json"> {
  return c.body(body, 200, { "Content-Type": "application/json" }) as unknown as TypedResponse<
    never,
    200,
    "json"
  >;
}
