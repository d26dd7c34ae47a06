import { CreateKeyCommand, DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { schema } from "@jonquils/core";
import { eq } from "drizzle-orm";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSubsonicServer } from "./server";

/**
 * App passwords sealed under a KMS key, as in AWS (APP_PASSWORD_KMS_KEY_ID), against moto's
 * KMS (scripts/servers/moto.sh; `npm run test:servers` sets TEST_AWS_ENDPOINT). The server's
 * own lazily loaded @aws-sdk/client-kms makes the calls; moto checks no signatures.
 */
const endpoint = process.env["TEST_AWS_ENDPOINT"];
if (!endpoint)
  console.info("[jonquils] KMS app-password cases skipped: set TEST_AWS_ENDPOINT (moto).");
const md5 = (s: string) => createHash("md5").update(s).digest("hex");

describe.runIf(Boolean(endpoint))("Subsonic app passwords sealed with KMS (moto)", () => {
  let server: Awaited<ReturnType<typeof startSubsonicServer>>;
  let kms: KMSClient;
  let keyArn: string;
  let dataDir: string;
  let token: string;
  let username: string;
  const rest = async (method: string, path: string, body?: unknown, bearer?: string) => {
    const res = await fetch(server.base + path, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const ping = async (params: Record<string, string>) => {
    const url = new URL(`${server.base}/rest/ping`);
    for (const [k, v] of Object.entries({ f: "json", v: "1.16.1", c: "kms-test", ...params }))
      url.searchParams.set(k, v);
    return ((await (await fetch(url)).json()) as { "subsonic-response": { status: string } })[
      "subsonic-response"
    ];
  };

  beforeAll(async () => {
    // The SDK's per-service endpoint variable, as moto.sh sets it for SQS, SNS and SSM.
    process.env["AWS_ENDPOINT_URL_KMS"] ??= endpoint;
    process.env["AWS_REGION"] ??= "us-east-1";
    process.env["AWS_ACCESS_KEY_ID"] ??= "testing";
    process.env["AWS_SECRET_ACCESS_KEY"] ??= "testing";
    kms = new KMSClient({});
    keyArn = (
      await kms.send(new CreateKeyCommand({ Description: "jonquils app passwords (test)" }))
    ).KeyMetadata!.Arn!;
    dataDir = await mkdtemp(join(tmpdir(), "jq-kms-"));
    server = await startSubsonicServer(
      { db: "pglite", redis: false },
      {
        APP_PASSWORD_KMS_KEY_ID: keyArn,
        AWS_REGION: process.env["AWS_REGION"],
        DATA_DIR: dataDir,
      },
    );
    username = `kms${Math.random().toString(36).slice(2, 8)}`;
    const registered = await rest("POST", "/api/v1/auth/register", {
      username,
      email: `${username}@example.com`,
      password: "correct horse battery",
    });
    expect(registered.status).toBe(201);
    token = registered.body.accessToken;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("seals a new app password under a KMS data key; token auth opens it through KMS Decrypt", async () => {
    const created = await rest("POST", "/api/v1/auth/app-passwords", { name: "Phone" }, token);
    expect(created.status).toBe(201);
    const password: string = created.body.password;

    const [row] = await server.runtime.ports.db
      .select()
      .from(schema.appPasswords)
      .where(eq(schema.appPasswords.id, created.body.id));
    // Wrapped by KMS (its key id is the ARN), not by a key file: none was written.
    expect(row!.keyId).toBe(keyArn);
    expect(row!.ciphertext).not.toContain(password);
    expect(await readdir(dataDir)).not.toContain("app-password-key");
    // The stored data key is a KMS ciphertext blob that moto decrypts to an AES-256 key.
    const dataKey = await kms.send(
      new DecryptCommand({ CiphertextBlob: Buffer.from(row!.wrappedKey, "base64") }),
    );
    expect(dataKey.KeyId).toBe(keyArn);
    expect(dataKey.Plaintext).toHaveLength(32);

    // A player app signs in with t+s (the server needs the plain secret: KMS unwraps it).
    expect((await ping({ u: username, t: md5(password + "salt1"), s: "salt1" })).status).toBe("ok");
    expect((await ping({ u: username, p: password })).status).toBe("ok");
    expect((await ping({ u: username, t: md5("wrong" + "salt1"), s: "salt1" })).status).toBe(
      "failed",
    );
  });
});
