import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import { snsPublisher } from "@jonquils/core/monitoring/sns";
import type { AlertRow } from "@jonquils/core/monitoring/monitor";
import { objectCreatedToEventBridge } from "@jonquils/pipeline/executor";
import type { ObjectCreatedEvent } from "@jonquils/core/storage/object-store";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extensionClient, resolveSecrets } from "./secrets";

/**
 * SNS, SSM parameters, Secrets Manager and EventBridge against moto's server
 * (scripts/servers/moto.sh; `npm run test:servers` sets TEST_AWS_ENDPOINT and the SDK's
 * AWS_ENDPOINT_URL_* variables). moto checks no signatures: these cases test the requests our
 * code makes and what the services do with them, not IAM.
 */
const endpoint = process.env["TEST_AWS_ENDPOINT"];
if (!endpoint) console.info("[jonquils] AWS service cases skipped: set TEST_AWS_ENDPOINT (moto).");
const suffix = Math.random().toString(36).slice(2, 8);

/** A call of an AWS JSON-protocol API (SSM, Secrets Manager, EventBridge, SQS) on moto. */
async function aws(target: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(endpoint!, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": target,
      // moto picks the service from the credential scope of the signature it does not check.
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/${service(target)}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
function service(target: string) {
  if (target.startsWith("AmazonSSM")) return "ssm";
  if (target.startsWith("secretsmanager")) return "secretsmanager";
  if (target.startsWith("AWSEvents")) return "events";
  if (target.startsWith("AmazonSQS")) return "sqs";
  return "sns";
}
async function queue(name: string) {
  const url = (await aws("AmazonSQS.CreateQueue", { QueueName: name }))["QueueUrl"] as string;
  const attrs = await aws("AmazonSQS.GetQueueAttributes", {
    QueueUrl: url,
    AttributeNames: ["QueueArn"],
  });
  return { url, arn: (attrs["Attributes"] as Record<string, string>)["QueueArn"]! };
}
async function receiveAll(url: string, want: number) {
  const sqs = new SQSClient({});
  const bodies: string[] = [];
  for (let i = 0; i < 6 && bodies.length < want; i++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    bodies.push(...(out.Messages ?? []).map((m) => m.Body ?? ""));
  }
  return bodies;
}

describe.runIf(Boolean(endpoint))("AWS services (moto)", () => {
  it("SNS: the alert publisher's message reaches a subscriber", async () => {
    const { TopicArn } = (await new SNSClient({}).send(
      new (await import("@aws-sdk/client-sns")).CreateTopicCommand({ Name: `alerts-${suffix}` }),
    )) as { TopicArn: string };
    const q = await queue(`alerts-sub-${suffix}`);
    const { SubscribeCommand } = await import("@aws-sdk/client-sns");
    await new SNSClient({}).send(
      new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn }),
    );
    const alert = {
      key: "api-5xx",
      severity: "critical",
      title: "API 5xx rate 12 % — ошибки",
      detail: { rate: 0.12 },
      firstSeenAt: new Date("2026-01-01T00:00:00Z"),
    } as unknown as AlertRow;
    await snsPublisher(TopicArn).publish([alert]);
    const [body] = await receiveAll(q.url, 1);
    const envelope = JSON.parse(body!) as { Subject: string; Message: string; TopicArn: string };
    expect(envelope.TopicArn).toBe(TopicArn);
    expect(envelope.Subject).toBe("[JONQUILS critical] API 5xx rate 12 % ? ??????");
    expect(JSON.parse(envelope.Message)).toMatchObject({
      key: "api-5xx",
      title: "API 5xx rate 12 % — ошибки",
    });
  });

  describe("secrets through the Parameters and Secrets extension's API", () => {
    // Stands in for the Lambda extension: the same paths, answered from moto's SSM and Secrets
    // Manager (the extension returns those APIs' JSON as it is).
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const call = url.pathname.startsWith("/systemsmanager/parameters/get")
          ? aws("AmazonSSM.GetParameter", {
              Name: url.searchParams.get("name"),
              WithDecryption: url.searchParams.get("withDecryption") === "true",
            })
          : aws("secretsmanager.GetSecretValue", { SecretId: url.searchParams.get("secretId") });
        call.then(
          (out) =>
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out)),
          (error: Error) =>
            res.writeHead(/NotFound/.test(error.message) ? 400 : 500).end(error.message),
        );
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("loads SST secrets from SSM SecureStrings (stage value, then the app's fallback) and the RDS secret", async () => {
      const prefix = `/sst/jonquils/test-${suffix}/`;
      await aws("AmazonSSM.PutParameter", {
        Name: `${prefix}Secret/JWT_SECRET/value`,
        Value: "stage-secret-value",
        Type: "SecureString",
      });
      await aws("AmazonSSM.PutParameter", {
        Name: `/sst/jonquils-${suffix}/.fallback/Secret/CLICKHOUSE_PASSWORD/value`,
        Value: "fallback-pw",
        Type: "SecureString",
      });
      const secret = await aws("secretsmanager.CreateSecret", {
        Name: `rds-${suffix}`,
        SecretString: JSON.stringify({ username: "app", password: "p@ss/word" }),
      });
      const env = {
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
        SST_APP: `jonquils-${suffix}`,
        SST_SSM_PREFIX: prefix,
        SST_Secret_value_JWT_SECRET: "__FETCH_FROM_SSM__",
        SST_Secret_value_CLICKHOUSE_PASSWORD: "__FETCH_FROM_SSM__",
        DATABASE_HOST: "db.internal",
        DATABASE_NAME: "jonquils",
        DATABASE_USER: "app",
        DATABASE_SECRET_ARN: secret["ARN"] as string,
      };
      const out = await resolveSecrets(env, extensionClient(env));
      expect(out["JWT_SECRET"]).toBe("stage-secret-value");
      expect(out["CLICKHOUSE_PASSWORD"]).toBe("fallback-pw");
      expect(out["DATABASE_URL"]).toBe(
        "postgres://app:p%40ss%2Fword@db.internal:5432/jonquils?sslmode=verify-full",
      );
      await expect(
        resolveSecrets(
          { ...env, SST_Secret_value_MISSING: "__FETCH_FROM_SSM__" },
          extensionClient(env),
        ),
      ).rejects.toThrow(/MISSING: the secret is not set/);
    });
  });

  it("EventBridge: the object-created rule's pattern (stacks/Pipeline.ts) takes uploads under u/ in the tracks bucket only", async () => {
    const bucket = `jonquils-tracks-${suffix}`;
    const bus = `bus-${suffix}`;
    await aws("AWSEvents.CreateEventBus", { Name: bus });
    // The pattern the Pipeline stack's rule renders (events.Match.prefix → {"prefix": …}).
    const pattern = {
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: [bucket] }, object: { key: [{ prefix: "u/" }] } },
    };
    await aws("AWSEvents.PutRule", {
      Name: `object-created-${suffix}`,
      EventBusName: bus,
      EventPattern: JSON.stringify(pattern),
    });
    const q = await queue(`ingest-${suffix}`);
    await aws("AWSEvents.PutTargets", {
      Rule: `object-created-${suffix}`,
      EventBusName: bus,
      Targets: [{ Id: "sfn-standin", Arn: q.arn }],
    });
    // The event shape the local wiring hands its in-process state machine, with real bucket names.
    const put = (b: string, key: string) => {
      const e = objectCreatedToEventBridge({
        bucket: b,
        key,
        size: 1,
        etag: "x",
      } as unknown as ObjectCreatedEvent);
      return {
        Source: e.source,
        DetailType: e["detail-type"],
        Detail: JSON.stringify(e.detail),
        EventBusName: bus,
      };
    };
    const out = await aws("AWSEvents.PutEvents", {
      Entries: [
        put(bucket, "u/user-1/upload-1/song.mp3"),
        put(bucket, "c/cover.jpg"),
        put(`jonquils-covers-${suffix}`, "u/user-1/x.mp3"),
      ],
    });
    expect(out["FailedEntryCount"]).toBe(0);
    const bodies = await receiveAll(q.url, 2);
    const keys = bodies.map(
      (b) => (JSON.parse(b) as { detail: { object: { key: string } } }).detail.object.key,
    );
    expect(keys).toEqual(["u/user-1/upload-1/song.mp3"]);
  });
});
