import type { Context } from "hono";

/** What every answer carries (OpenSubsonic: type, serverVersion, openSubsonic). */
export const API_VERSION = "1.16.1";
export const SERVER_TYPE = "jonquils";
export const SERVER_VERSION = "0.1.0";
const XMLNS = "http://subsonic.org/restapi";

export type Format = { kind: "xml" } | { kind: "json" } | { kind: "jsonp"; callback: string };

/** A Subsonic error: answered with HTTP 200 and status "failed" (the protocol's way). */
export class SubsonicError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly helpUrl?: string,
  ) {
    super(message);
    this.name = "SubsonicError";
  }
}

export const SubsonicErrors = {
  generic: (message: string) => new SubsonicError(0, message),
  missing: (param: string) => new SubsonicError(10, `Required parameter is missing: ${param}`),
  wrongCredentials: () => new SubsonicError(40, "Wrong username or password"),
  tokenNotSupported: (helpUrl: string) =>
    new SubsonicError(
      41,
      "Token authentication needs an app password: create one in JONQUILS (POST /api/v1/auth/app-passwords) and use it as the password in this app.",
      helpUrl,
    ),
  mechanismNotSupported: (helpUrl: string) =>
    new SubsonicError(42, "Provided authentication mechanism not supported", helpUrl),
  conflicting: () =>
    new SubsonicError(43, "Multiple conflicting authentication mechanisms provided"),
  invalidApiKey: () => new SubsonicError(44, "Invalid API key"),
  notAuthorized: (why = "User is not authorized for the given operation") =>
    new SubsonicError(50, why),
  notFound: (what = "The requested data was not found") => new SubsonicError(70, what),
};

/** f=json | jsonp (with callback) | anything else → XML, Subsonic's default. */
export function readFormat(f: string | undefined, callback: string | undefined): Format {
  if (f === "json") return { kind: "json" };
  if (f === "jsonp" && callback && /^[A-Za-z_$][\w$.]{0,100}$/.test(callback))
    return { kind: "jsonp", callback };
  if (f === "jsonp") return { kind: "json" };
  return { kind: "xml" };
}

type Payload = Record<string, unknown>;

function envelope(status: "ok" | "failed"): Payload {
  return {
    status,
    version: API_VERSION,
    type: SERVER_TYPE,
    serverVersion: SERVER_VERSION,
    openSubsonic: true,
  };
}

/** The answer in the requested format. */
export function respond(
  c: Context,
  format: Format,
  payload: Payload,
  status: "ok" | "failed" = "ok",
  httpStatus: 200 | 404 | 429 = 200,
): Response {
  const body = { ...envelope(status), ...payload };
  if (format.kind === "xml") {
    return c.body(
      `<?xml version="1.0" encoding="UTF-8"?>\n${element("subsonic-response", body, true)}`,
      httpStatus,
      { "Content-Type": "application/xml; charset=utf-8" },
    );
  }
  const json = JSON.stringify({ "subsonic-response": body });
  if (format.kind === "jsonp")
    return c.body(`${format.callback}(${json});`, httpStatus, {
      "Content-Type": "application/javascript; charset=utf-8",
    });
  return c.body(json, httpStatus, { "Content-Type": "application/json; charset=utf-8" });
}

export function respondError(
  c: Context,
  format: Format,
  error: SubsonicError,
  httpStatus: 200 | 404 | 429 = 200,
): Response {
  return respond(
    c,
    format,
    {
      error: {
        code: error.code,
        message: error.message,
        ...(error.helpUrl ? { helpUrl: error.helpUrl } : {}),
      },
    },
    "failed",
    httpStatus,
  );
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (ch) =>
    ch === "&" ? "&amp;" : ch === "<" ? "&lt;" : ch === ">" ? "&gt;" : "&quot;",
  );

const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/**
 * JSON → Subsonic XML, the way the reference server writes it: scalars become attributes,
 * objects child elements, arrays repeated elements, and a `value` key the element's text
 * (e.g. `<genre songCount="3">Rock</genre>`).
 */
function element(name: string, value: unknown, root = false): string {
  if (isScalar(value)) return `<${name}>${escape(String(value))}</${name}>`;
  if (value === null || value === undefined || typeof value !== "object") return "";
  const obj = value as Record<string, unknown>;
  let attrs = root ? ` xmlns="${XMLNS}"` : "";
  let children = "";
  let text = "";
  for (const [key, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    if (key === "value" && isScalar(v)) text = escape(String(v));
    else if (isScalar(v)) attrs += ` ${key}="${escape(String(v))}"`;
    else if (Array.isArray(v)) for (const item of v) children += element(key, item);
    else children += element(key, v);
  }
  return children || text ? `<${name}${attrs}>${text}${children}</${name}>` : `<${name}${attrs}/>`;
}
