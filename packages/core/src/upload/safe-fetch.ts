import { lookup } from "node:dns/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { isAppError } from "../errors";
import { sniffAudio, SNIFF_BYTES, type SniffedAudio } from "./audio-sniff";
import { UploadErrors } from "./errors";

/**
 * Fetching a URL a user gave, without letting them reach what they should not (SSRF):
 * - only http and https, on ports 80/443 (unless told otherwise), no credentials in the URL;
 * - the host is resolved here and every address must be public unicast: loopback,
 *   private (RFC 1918), link-local (with 169.254.169.254), unique-local (with
 *   fd00:ec2::254), CGNAT, multicast, unspecified, reserved and IPv4-mapped/translated
 *   forms of them are refused; IP literals in any spelling reach us already normalised
 *   by the WHATWG URL parser (http://2130706433/ is http://127.0.0.1/);
 * - the connection goes to the vetted address (the socket's `lookup` returns it), so a
 *   second DNS answer (rebinding) cannot swap it; TLS still checks the host name;
 * - redirects are followed by hand, at most `maxRedirects`, each one checked again;
 * - the body is capped (Content-Length first, then counted) and the whole exchange,
 *   DNS included, is bounded in time.
 */
export interface SafeFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  allowedPorts: readonly number[] | "any";
  resolve: Resolver;
  /**
   * Networks (CIDR) allowed although they are not public. For tests only (a server on
   * 127.0.0.1); production wirings pass none.
   */
  allowNetworks: readonly string[];
  /** Sees the first bytes (SNIFF_BYTES, or the whole body if shorter); throws to refuse. */
  inspectHead?: (head: Uint8Array) => void;
  userAgent: string;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface FetchedFile {
  bytes: Uint8Array;
  /** The final URL, after redirects. */
  url: string;
  contentType: string | null;
  /** From Content-Disposition, else the last path segment of the final URL; not yet made safe. */
  filename: string | null;
}

/** The system resolver (getaddrinfo), every address. */
export const systemResolver: Resolver = async (hostname) => {
  const all = await lookup(hostname, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export const DEFAULT_FETCH_OPTIONS: SafeFetchOptions = {
  maxBytes: 200 * 1024 * 1024,
  timeoutMs: 30_000,
  maxRedirects: 5,
  allowedPorts: [80, 443],
  resolve: systemResolver,
  allowNetworks: [],
  userAgent: "JONQUILS-importer/1.0 (+https://jonquils.dev)",
};

/** Cloud instance metadata endpoints, named in refusals (their ranges are refused anyway). */
const METADATA_ADDRESSES = new Set(["169.254.169.254", "fd00:ec2:0:0:0:0:0:254"]);
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/** Why an address may not be fetched from, or null when it may. */
export function addressRefusal(
  address: string,
  allowNetworks: readonly string[] = [],
): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return "not an IP address";
  }
  if (ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress()) ip = ip.toIPv4Address();
  for (const cidr of allowNetworks) {
    const [net, bits] = ipaddr.parseCIDR(cidr);
    if (net.kind() === ip.kind() && ip.match([net, bits] as never)) return null;
  }
  const normalized = ip.toNormalizedString();
  if (METADATA_ADDRESSES.has(normalized)) return "a cloud metadata address";
  const range = ip.range();
  if (range !== "unicast") return `a ${describeRange(range)} address`;
  if (ip instanceof ipaddr.IPv6 && !ip.match(GLOBAL_UNICAST_V6))
    return "not a global unicast IPv6 address";
  return null;
}

const RANGE_WORDS: Record<string, string> = {
  loopback: "loopback",
  private: "private-network",
  linkLocal: "link-local",
  uniqueLocal: "unique-local (private IPv6)",
  carrierGradeNat: "carrier-grade NAT",
  multicast: "multicast",
  unspecified: "unspecified",
  broadcast: "broadcast",
};
const describeRange = (range: string) => RANGE_WORDS[range] ?? `reserved (${range})`;

/** Checks a URL's shape (scheme, credentials, port); returns it parsed. */
export function checkUrlShape(
  raw: string | URL,
  options: Pick<SafeFetchOptions, "allowedPorts">,
): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw UploadErrors.urlNotAllowed("it is not a valid absolute URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw UploadErrors.urlNotAllowed(`only http and https URLs are fetched, not ${url.protocol}`);
  if (url.username || url.password)
    throw UploadErrors.urlNotAllowed("URLs with a user name or password are not accepted");
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  if (options.allowedPorts !== "any" && !options.allowedPorts.includes(port))
    throw UploadErrors.urlNotAllowed(
      `port ${port} is not allowed (only ${options.allowedPorts.join(", ")})`,
    );
  const host = hostOf(url);
  if (!host) throw UploadErrors.urlNotAllowed("it has no host");
  return url;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, "").toLowerCase();

/** Resolves the URL's host and returns the address to connect to, or throws url_not_allowed. */
async function vetHost(url: URL, options: SafeFetchOptions): Promise<ResolvedAddress> {
  const host = hostOf(url);
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    const bare = host.replace(/\.+$/, "");
    if (bare === "localhost" || bare.endsWith(".localhost"))
      throw UploadErrors.urlNotAllowed(`${host} is this server itself`);
    try {
      addresses = await options.resolve(host);
    } catch (error) {
      throw UploadErrors.fetchFailed(`the host name ${host} does not resolve`, {
        reason: (error as NodeJS.ErrnoException).code ?? "dns_error",
      });
    }
    if (addresses.length === 0)
      throw UploadErrors.fetchFailed(`the host name ${host} does not resolve`);
  }
  // Every address must pass: a name that also points inside is refused as a whole.
  for (const a of addresses) {
    const why = addressRefusal(a.address, options.allowNetworks);
    if (why)
      throw UploadErrors.urlNotAllowed(
        literal ? `${host} is ${why}` : `${host} resolves to ${why} (${a.address})`,
      );
  }
  return addresses[0]!;
}

/** A `lookup` that answers only the vetted address, whatever is asked. */
function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (opts?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

function requestOnce(
  url: URL,
  target: ResolvedAddress,
  options: SafeFetchOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const host = hostOf(url);
  const secure = url.protocol === "https:";
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        protocol: url.protocol,
        hostname: host,
        port: url.port ? Number(url.port) : secure ? 443 : 80,
        path: `${url.pathname}${url.search}`,
        method: "GET",
        headers: {
          "user-agent": options.userAgent,
          accept: "audio/*, application/octet-stream;q=0.8, */*;q=0.1",
          "accept-encoding": "identity",
        },
        lookup: pinnedLookup(target),
        agent: false,
        signal,
        ...(secure && !isIP(host) ? { servername: host } : {}),
      },
      resolve,
    );
    req.on("error", reject);
    req.end();
  });
}

/** Downloads a user-supplied URL under the rules above. */
export async function safeFetch(
  raw: string,
  overrides: Partial<SafeFetchOptions> = {},
): Promise<FetchedFile> {
  const options: SafeFetchOptions = { ...DEFAULT_FETCH_OPTIONS, ...overrides };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const timedOut = new Promise<never>((_, reject) =>
    controller.signal.addEventListener("abort", () =>
      reject(UploadErrors.fetchTimeout(Math.round(options.timeoutMs / 1000))),
    ),
  );
  timedOut.catch(() => undefined);
  try {
    return await Promise.race([follow(raw, options, controller.signal), timedOut]);
  } catch (error) {
    if (isAppError(error)) throw error;
    if (controller.signal.aborted)
      throw UploadErrors.fetchTimeout(Math.round(options.timeoutMs / 1000));
    throw UploadErrors.fetchFailed(describeNetworkError(error));
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

async function follow(
  raw: string,
  options: SafeFetchOptions,
  signal: AbortSignal,
): Promise<FetchedFile> {
  let url = checkUrlShape(raw, options);
  for (let hop = 0; ; hop++) {
    const target = await vetHost(url, options);
    const res = await requestOnce(url, target, options, signal);
    const status = res.statusCode ?? 0;
    if ([301, 302, 303, 307, 308].includes(status)) {
      res.resume();
      const location = res.headers.location;
      if (!location)
        throw UploadErrors.fetchFailed(`the server answered ${status} without a Location`);
      if (hop >= options.maxRedirects) throw UploadErrors.tooManyRedirects(options.maxRedirects);
      url = checkUrlShape(new URL(location, url), options);
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw UploadErrors.fetchFailed(`the server answered HTTP ${status}`, {
        upstreamStatus: status,
      });
    }
    const bytes = await readBody(res, options);
    return {
      bytes,
      url: url.toString(),
      contentType: res.headers["content-type"] ?? null,
      filename: filenameOf(res.headers["content-disposition"], url),
    };
  }
}

async function readBody(res: IncomingMessage, options: SafeFetchOptions): Promise<Uint8Array> {
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    res.destroy();
    throw UploadErrors.tooLarge(options.maxBytes);
  }
  const encoding = res.headers["content-encoding"];
  if (encoding && encoding !== "identity") {
    res.destroy();
    throw UploadErrors.fetchFailed(`the server sent a ${encoding}-encoded body`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let inspected = !options.inspectHead;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.maxBytes) throw UploadErrors.tooLarge(options.maxBytes);
      chunks.push(chunk);
      if (!inspected && size >= SNIFF_BYTES) {
        inspected = true;
        options.inspectHead?.(Buffer.concat(chunks).subarray(0, SNIFF_BYTES));
      }
    }
  } finally {
    if (!res.readableEnded) res.destroy();
  }
  const body = Buffer.concat(chunks);
  if (!inspected) options.inspectHead?.(body);
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

function filenameOf(disposition: string | undefined, url: URL): string | null {
  if (disposition) {
    const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
    if (star?.[1]) {
      try {
        return decodeURIComponent(star[1].trim());
      } catch {
        // a broken encoding: fall back to the plain parameter
      }
    }
    const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
    if (plain?.[1]) return plain[1].trim();
  }
  const last = url.pathname.split("/").filter(Boolean).pop();
  if (!last) return null;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function describeNetworkError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "the server refused the connection";
    case "ECONNRESET":
      return "the server closed the connection";
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "the server cannot be reached";
    default:
      if (code?.startsWith("ERR_TLS") || code?.includes("CERT"))
        return "its TLS certificate is not valid";
      return code ? `network error (${code})` : "network error";
  }
}

/** A URL's bytes that must look like audio (magic numbers) before more than a few are kept. */
export async function fetchAudio(
  raw: string,
  overrides: Partial<SafeFetchOptions> = {},
): Promise<FetchedFile & { sniffed: SniffedAudio }> {
  const seen: { sniffed: SniffedAudio | null } = { sniffed: null };
  const file = await safeFetch(raw, {
    ...overrides,
    inspectHead: (head) => {
      seen.sniffed = sniffAudio(head);
      if (!seen.sniffed)
        throw UploadErrors.notAudio(
          "the file's first bytes are not MP3, AAC, FLAC, Ogg, WAV, AIFF or M4A",
        );
    },
  });
  if (!seen.sniffed) throw UploadErrors.notAudio("the file is empty");
  return { ...file, sniffed: seen.sniffed };
}
