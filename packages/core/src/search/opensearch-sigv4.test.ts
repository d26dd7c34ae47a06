import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { createLogger } from "../logger";
import { createOpenSearchIndex, openSearchAuth } from "./opensearch";
import { createSearchIndexFromConfig } from "./wiring";

/**
 * Amazon OpenSearch with IAM: requests signed with SigV4 by the client's AwsSigv4Signer. A local
 * HTTP server captures what the adapter sends; the signature is checked by signing the same
 * request again with the AWS SDK's own signer (@smithy/signature-v4), not by the code under test.
 */

interface Captured {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const captured: Captured[] = [];
let server: Server;
let node = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      captured.push({
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        req.url?.startsWith("/_cluster/health")
          ? JSON.stringify({ status: "green" })
          : JSON.stringify({ hits: { total: { value: 0, relation: "eq" }, hits: [] } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  node = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  captured.length = 0;
});

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session-token-example",
};

/** Signs the captured request again with the SDK's signer, over the headers it signed. */
async function expectedSignature(req: Captured, region: string, service: string) {
  const auth = String(req.headers["authorization"]);
  const signed = /SignedHeaders=([^,]+)/.exec(auth)![1]!.split(";");
  const amzDate = String(req.headers["x-amz-date"]);
  const url = new URL(req.path, node);
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
  const headers = Object.fromEntries(signed.map((h) => [h, String(req.headers[h])]));
  const again = await signer.sign(
    {
      method: req.method,
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: req.body,
    },
    {
      signingDate: new Date(
        amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"),
      ),
      signableHeaders: new Set(signed),
    },
  );
  return /Signature=([0-9a-f]{64})/.exec(String(again.headers["authorization"]))![1];
}

describe("OpenSearch with SigV4 (Amazon OpenSearch, IAM)", () => {
  it("signs every request: Authorization AWS4-HMAC-SHA256 for the region and service, session token sent", async () => {
    const index = createOpenSearchIndex({
      node,
      indexPrefix: "jqs_",
      log: createLogger("silent"),
      auth: {
        kind: "aws-sigv4",
        region: "eu-west-1",
        service: "es",
        getCredentials: async () => credentials,
      },
    });
    await index.ping();
    const search = await index.search({ kind: "track", q: "aurora", limit: 5, offset: 0 });
    expect(search.total).toBe(0);
    await index.close();
    expect(captured.length).toBeGreaterThanOrEqual(2);
    for (const req of captured) {
      const auth = String(req.headers["authorization"]);
      expect(auth).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
      expect(auth).toContain("x-amz-date");
      expect(req.headers["x-amz-security-token"]).toBe("session-token-example");
      // The signature is the one AWS computes for this exact request, body included.
      expect(/Signature=([0-9a-f]{64})/.exec(auth)![1]).toBe(
        await expectedSignature(req, "eu-west-1", "es"),
      );
    }
    const post = captured.find((r) => r.method === "POST")!;
    expect(post.body).toContain("aurora");
  });

  it("takes credentials from the AWS SDK's default chain when none are given (here: the environment)", async () => {
    const saved = { ...process.env };
    process.env["AWS_ACCESS_KEY_ID"] = "AKIDFROMENV";
    process.env["AWS_SECRET_ACCESS_KEY"] = "secret-from-env";
    delete process.env["AWS_SESSION_TOKEN"];
    delete process.env["AWS_PROFILE"];
    try {
      const index = createOpenSearchIndex({
        node,
        indexPrefix: "jqs_",
        log: createLogger("silent"),
        auth: { kind: "aws-sigv4", region: "us-east-1", service: "es" },
      });
      await index.ping();
      await index.close();
    } finally {
      process.env = saved;
    }
    expect(String(captured[0]!.headers["authorization"])).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFROMENV\/\d{8}\/us-east-1\/es\/aws4_request,/,
    );
  });

  it("sends no Authorization header to a plain server", async () => {
    const index = createOpenSearchIndex({ node, indexPrefix: "jqs_", log: createLogger("silent") });
    await index.ping();
    await index.close();
    expect(captured[0]!.headers["authorization"]).toBeUndefined();
  });

  it("picks SigV4 for an Amazon endpoint or OPENSEARCH_AUTH=aws-sigv4, nothing otherwise", () => {
    const vpc = "https://vpc-jq-test-abc123.eu-central-1.es.amazonaws.com";
    expect(openSearchAuth(vpc, undefined, "us-east-1")).toEqual({
      kind: "aws-sigv4",
      region: "eu-central-1",
      service: "es",
    });
    expect(
      openSearchAuth("https://x1y2.us-west-2.aoss.amazonaws.com", undefined, "us-east-1"),
    ).toMatchObject({ region: "us-west-2", service: "aoss" });
    expect(openSearchAuth(vpc, "none", "us-east-1")).toBeUndefined();
    expect(openSearchAuth("http://127.0.0.1:19200", undefined, "us-east-1")).toBeUndefined();
    // A custom domain name in front of Amazon OpenSearch: the switch and AWS_REGION decide.
    expect(openSearchAuth("https://search.example.com", "aws-sigv4", "ap-south-1")).toEqual({
      kind: "aws-sigv4",
      region: "ap-south-1",
      service: "es",
    });
  });

  it("wires the switch from the configuration", async () => {
    const config = loadConfig({
      OPENSEARCH_URL: node,
      OPENSEARCH_AUTH: "aws-sigv4",
      AWS_REGION: "eu-north-1",
    });
    const saved = { ...process.env };
    process.env["AWS_ACCESS_KEY_ID"] = "AKIDCONFIG";
    process.env["AWS_SECRET_ACCESS_KEY"] = "secret";
    try {
      const index = createSearchIndexFromConfig(config, undefined as never, createLogger("silent"));
      await index.ping();
      await index.close();
    } finally {
      process.env = saved;
    }
    expect(String(captured[0]!.headers["authorization"])).toContain("AKIDCONFIG/");
    expect(String(captured[0]!.headers["authorization"])).toContain("/eu-north-1/es/aws4_request");
    expect(() => loadConfig({ OPENSEARCH_URL: node, OPENSEARCH_AUTH: "basic" })).toThrow();
  });
});
