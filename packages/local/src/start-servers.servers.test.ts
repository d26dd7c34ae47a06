import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { createApp, type App } from "@jonquils/api";
import { loadConfig } from "@jonquils/core";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasPostgres, openTestDatabase } from "./testing/harness";
import { createLocalRuntime, type LocalRuntime } from "./wiring";

/**
 * `npm run start:servers` end to end: the local wiring on PostgreSQL, OpenSearch and MinIO,
 * with MinIO's webhook (target JQTEST of scripts/servers/minio.sh, on 127.0.0.1:19542)
 * announcing new objects. A real MP3 is posted to MinIO with the presigned POST form the
 * API hands out; nothing in the test tells the app the file arrived — only MinIO's event does.
 * The upload must end `done` and the track be found through OpenSearch.
 */
const env = process.env;
const missing = [
  !env["TEST_S3_ENDPOINT"] && "MinIO (TEST_S3_ENDPOINT)",
  !env["MINIO_EVENTS_TOKEN_FILE"] && "MinIO's webhook token (MINIO_EVENTS_TOKEN_FILE)",
  !env["OPENSEARCH_URL"] && "OpenSearch (OPENSEARCH_URL)",
  !hasPostgres() && "PostgreSQL (DATABASE_URL)",
].filter(Boolean);
if (missing.length > 0)
  console.info(
    `[jonquils] start:servers end-to-end case skipped: no ${missing.join(", ")}; run it with \`npm run test:servers\`.`,
  );

const TEST_EVENTS_PORT = 19542;
const TEST_TARGET_ARN = "arn:minio:sqs::JQTEST:webhook";

describe.skipIf(missing.length > 0)("uploads on servers (minio events + opensearch)", () => {
  const suffix = randomBytes(4).toString("hex");
  const prefix = `jq-e2e-${suffix}`;
  const indexPrefix = `jqe2e${suffix}_`;
  let runtime: LocalRuntime;
  let app: App;
  let dataDir: string;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let refused: string | undefined;
  let queueUrl: string | undefined;

  beforeAll(async () => {
    // The S3 adapter takes the SDK's credential chain: MinIO's root keys (moto takes any).
    env["AWS_ACCESS_KEY_ID"] = env["TEST_S3_ACCESS_KEY_ID"];
    env["AWS_SECRET_ACCESS_KEY"] = env["TEST_S3_SECRET_ACCESS_KEY"];
    const s3 = new S3Client({
      endpoint: env["TEST_S3_ENDPOINT"],
      region: "us-east-1",
      forcePathStyle: true,
    });
    for (const b of ["tracks", "covers", "playlists", "temp"])
      await s3.send(new CreateBucketCommand({ Bucket: `${prefix}-${b}` }));
    // The Pipeline stack's rule, as start-servers.sh sets it on jonquils-tracks.
    try {
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: `${prefix}-tracks`,
          NotificationConfiguration: {
            QueueConfigurations: [
              {
                QueueArn: TEST_TARGET_ARN,
                Events: ["s3:ObjectCreated:*"],
                Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "u/" }] } },
              },
            ],
          },
        }),
      );
    } catch (err) {
      refused = `MinIO has no webhook target ${TEST_TARGET_ARN} (${String(err)}); it was started before scripts/servers/minio.sh configured one: restart it (minio.sh down, then up).`;
      console.info(`[jonquils] ${refused}`);
      return;
    }
    s3.destroy();
    // Analytics through SQS (moto) when it runs, consumed into chDB as start:servers does.
    if (env["TEST_AWS_ENDPOINT"]) {
      const { SQSClient, CreateQueueCommand } = await import("@aws-sdk/client-sqs");
      const sqs = new SQSClient({ endpoint: env["TEST_AWS_ENDPOINT"], region: "us-east-1" });
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-analytics` })))
        .QueueUrl;
      sqs.destroy();
    }
    db = await openTestDatabase("postgres");
    dataDir = await mkdtemp(join(tmpdir(), "jonquils-servers-e2e-"));
    await writeFile(
      join(dataDir, "s3-events.token"),
      await readFile(env["MINIO_EVENTS_TOKEN_FILE"]!, "utf8"),
      { mode: 0o600 },
    );
    const config = loadConfig({
      NODE_ENV: "test",
      DATA_DIR: dataDir,
      DATABASE_URL: db.url!,
      JWT_SECRET: randomBytes(32).toString("hex"),
      BCRYPT_COST: "4",
      LOG_LEVEL: "silent",
      SEED_DEMO: "false",
      RATE_LIMIT_IP_PER_MINUTE: "100000",
      RATE_LIMIT_USER_PER_MINUTE: "100000",
      SIGNUP_PER_IP_PER_HOUR: "100000",
      ANALYTICS_REFRESH_MS: "0",
      OPENSEARCH_URL: env["OPENSEARCH_URL"]!,
      OPENSEARCH_INDEX_PREFIX: indexPrefix,
      S3_ENDPOINT: env["TEST_S3_ENDPOINT"]!,
      S3_FORCE_PATH_STYLE: "true",
      S3_BUCKET_TRACKS: `${prefix}-tracks`,
      S3_BUCKET_COVERS: `${prefix}-covers`,
      S3_BUCKET_PLAYLISTS: `${prefix}-playlists`,
      S3_BUCKET_TEMP: `${prefix}-temp`,
      S3_EVENTS_PORT: String(TEST_EVENTS_PORT),
      ANALYTICS_FLUSH_MS: "100",
      ...(queueUrl ? { ANALYTICS_QUEUE_URL: queueUrl } : {}),
    });
    runtime = await createLocalRuntime(config);
    app = createApp({ ...runtime, clientIp: () => "203.0.113.10" });
  }, 120_000);

  afterAll(async () => {
    await runtime?.close();
    await db?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await fetch(`${env["OPENSEARCH_URL"]}/${indexPrefix}*`, { method: "DELETE" }).catch(() => {});
  });

  async function call(method: string, path: string, body?: unknown, token?: string) {
    const res = await app.request(path, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
    const parsed: any = text ? JSON.parse(text) : undefined;
    return { status: res.status, body: parsed };
  }

  it("a presigned POST to MinIO ends as a done upload, found through OpenSearch", async (ctx) => {
    if (refused) ctx.skip(refused);
    const name = `e2e${suffix}`;
    const session = await call("POST", "/api/v1/auth/register", {
      username: name,
      email: `${name}@example.com`,
      password: "correct horse battery",
    });
    expect(session.status).toBe(201);
    const artist = await call(
      "POST",
      "/api/v1/artists",
      { name: `Servers Band ${suffix}` },
      session.body.accessToken,
    );
    expect(artist.status).toBe(201);
    const refreshed = await call("POST", "/api/v1/auth/refresh", {
      refreshToken: session.body.refreshToken,
    });
    const token = refreshed.body.accessToken as string;

    const bytes = new Uint8Array(
      await readFile(new URL("../../pipeline/test/fixtures/tagged.mp3", import.meta.url)),
    );
    const ticket = await call(
      "POST",
      "/api/v1/tracks/upload",
      { filename: "tagged.mp3", contentType: "audio/mpeg", size: bytes.byteLength },
      token,
    );
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    const { url, fields } = ticket.body.presigned as {
      url: string;
      fields: Record<string, string>;
    };
    expect(url.startsWith(env["TEST_S3_ENDPOINT"]!)).toBe(true);
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append("file", new Blob([bytes], { type: "audio/mpeg" }), "tagged.mp3");
    const posted = await fetch(url, { method: "POST", body: form });
    expect(posted.status, await posted.text()).toBeLessThan(300);

    // Only MinIO's webhook tells the app about the object.
    let upload:
      { status: string; trackId: string | null; failureReason: string | null } | undefined;
    for (let i = 0; i < 240; i++) {
      upload = (await call("GET", `/api/v1/uploads/${ticket.body.upload.id}`, undefined, token))
        .body;
      if (upload?.status === "done" || upload?.status === "failed") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(upload).toMatchObject({ status: "done", failureReason: null });

    // "Ёлка — Café" found by OpenSearch (typed without the diacritics).
    let items: { id: string; title: string }[] = [];
    for (let i = 0; i < 40 && items.length === 0; i++) {
      items = (await call("GET", "/api/v1/search/tracks?q=%D0%B5%D0%BB%D0%BA%D0%B0%20cafe")).body
        .items;
      if (items.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(items).toEqual([expect.objectContaining({ id: upload!.trackId, title: "Ёлка — Café" })]);
    // The index that answered is OpenSearch's, under this run's prefix.
    const count = (await (
      await fetch(`${env["OPENSEARCH_URL"]}/${indexPrefix}tracks/_count`)
    ).json()) as { count: number };
    expect(count.count).toBe(1);

    // A listen of the new track reaches the analytics store (through moto's SQS when it runs).
    const listened = await call(
      "POST",
      "/api/v1/analytics/listen",
      { trackId: upload!.trackId, playDurationMs: 3000, platform: "web", deviceType: "desktop" },
      token,
    );
    expect(listened.status, JSON.stringify(listened.body)).toBe(202);
    expect(runtime.ports.analytics.queue.kind).toBe(queueUrl ? "sqs" : "memory");
    let plays = 0;
    for (let i = 0; i < 80 && plays === 0; i++) {
      const rows = await runtime.ports.analytics.store.select<{ n: number }>(
        "SELECT count() AS n FROM track_analytics WHERE track_id = {t:UUID}",
        { t: upload!.trackId! },
      );
      plays = Number(rows[0]?.n ?? 0);
      if (plays === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(plays).toBe(1);
  }, 120_000);
});
