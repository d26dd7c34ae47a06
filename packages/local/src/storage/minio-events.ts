import type { Logger } from "@jonquils/core";
import type { Bucket, ObjectCreatedEvent } from "@jonquils/core/storage/object-store";
import { createServer, type Server } from "node:http";
import { timingSafeEqual } from "node:crypto";

/**
 * Object-created events from MinIO for the local wiring on servers (`npm run start:servers`):
 * the bucket notifications that S3 delivers to EventBridge in AWS, delivered here by MinIO's
 * webhook target to a listener on loopback. MinIO sends each event as a POST of
 * `{"EventName", "Key", "Records": [S3 event record]}` with `Authorization: Bearer <token>`;
 * requests without that token are refused. The events become the same ObjectCreatedEvent the
 * disk store announces, so the pipeline starts the same way (the ASL workflow in-process).
 *
 * The target is configured when MinIO starts (scripts/servers/minio.sh: `notify_webhook`
 * is not a setting MinIO applies without a restart) and the bucket's notification rule
 * (object created under `u/`) by scripts/start-servers.sh — the counterpart of the Pipeline
 * stack's EventBridge rule.
 */
export interface MinioEventsOptions {
  /** Loopback port MinIO's webhook target posts to. */
  port: number;
  host?: string;
  /** The target's auth_token. */
  token: string;
  /** Real bucket name → the logical bucket the events are reported under. */
  buckets: Partial<Record<Bucket, string>>;
  onCreated: (event: ObjectCreatedEvent) => void;
  log: Logger;
}

export interface MinioEvents {
  readonly port: number;
  close(): Promise<void>;
}

interface MinioRecord {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number; eTag?: string } };
}

/** The object-created events of one webhook body; other events and unknown buckets give none. */
export function parseMinioEvent(
  body: unknown,
  buckets: Partial<Record<Bucket, string>>,
): ObjectCreatedEvent[] {
  const records = (body as { Records?: MinioRecord[] } | null)?.Records;
  if (!Array.isArray(records)) return [];
  const logical = new Map(Object.entries(buckets).map(([b, name]) => [name, b as Bucket]));
  const out: ObjectCreatedEvent[] = [];
  for (const r of records) {
    if (!r.eventName?.startsWith("s3:ObjectCreated:")) continue;
    const bucket = logical.get(r.s3?.bucket?.name ?? "");
    const rawKey = r.s3?.object?.key;
    if (!bucket || !rawKey) continue;
    // As in S3 event notifications, the key is URL-encoded (form encoding: '+' is a space).
    const key = decodeURIComponent(rawKey.replace(/\+/g, " "));
    out.push({ bucket, key, size: r.s3?.object?.size ?? 0, etag: r.s3?.object?.eTag ?? null });
  }
  return out;
}

function sameToken(header: string | undefined, token: string): boolean {
  const want = Buffer.from(`Bearer ${token}`);
  const got = Buffer.from(header ?? "");
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Starts the webhook listener; resolves once it listens. */
export async function listenMinioEvents(options: MinioEventsOptions): Promise<MinioEvents> {
  if (options.token.length < 16) throw new Error("the MinIO webhook token is too short");
  const server: Server = createServer((req, res) => {
    const answer = (status: number) => {
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status === 200 ? "ok" : String(status));
    };
    if (req.method !== "POST") return answer(405);
    if (!sameToken(req.headers.authorization, options.token)) {
      options.log.warn({ from: req.socket.remoteAddress }, "MinIO event refused: wrong token");
      req.resume();
      return answer(401);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= 1 << 20) chunks.push(c);
    });
    req.on("end", () => {
      if (size > 1 << 20) return answer(413);
      let events: ObjectCreatedEvent[];
      try {
        events = parseMinioEvent(
          JSON.parse(Buffer.concat(chunks).toString("utf8")),
          options.buckets,
        );
      } catch (err) {
        options.log.warn({ err }, "MinIO event not understood");
        return answer(400);
      }
      for (const event of events) {
        try {
          options.onCreated(event);
        } catch (err) {
          options.log.error({ err, key: event.key }, "object-created listener failed");
        }
      }
      answer(200);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  options.log.info({ port }, "receiving MinIO object events");
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
