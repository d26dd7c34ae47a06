import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The envelope key port: hands out fresh data keys (plaintext to use once, wrapped to store)
 * and unwraps stored ones. The master key never leaves it (KMS), or never leaves the file.
 */
export interface EnvelopeKey {
  readonly kind: "local" | "kms";
  generateDataKey(): Promise<{ plaintext: Buffer; wrapped: string; keyId: string }>;
  unwrap(wrapped: string, keyId: string): Promise<Buffer>;
}

/** AES-256-GCM: base64url(iv(12) | ciphertext | tag(16)). */
export function seal(key: Buffer, plaintext: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
}

export function open(key: Buffer, sealed: string): Buffer {
  const raw = Buffer.from(sealed, "base64url");
  if (raw.length < 28) throw new Error("sealed value too short");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
}

/**
 * Locally: a 256-bit master key in DATA_DIR/app-password-key, generated on first use with
 * mode 0600 (never in the repository). Data keys are wrapped with AES-256-GCM under it.
 */
export function localEnvelopeKey(dataDir: string): EnvelopeKey {
  let master: Promise<{ key: Buffer; id: string }> | undefined;
  const load = () =>
    (master ??= (async () => {
      const file = join(dataDir, "app-password-key");
      let key: Buffer | undefined;
      try {
        key = Buffer.from((await readFile(file, "utf8")).trim(), "base64");
        if (key.length !== 32) throw new Error(`${file} does not hold a 256-bit key`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        await mkdir(dataDir, { recursive: true });
        key = randomBytes(32);
        // "wx": two processes starting at once must not overwrite each other's key.
        try {
          await writeFile(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
        } catch (writeError) {
          if ((writeError as NodeJS.ErrnoException).code !== "EEXIST") throw writeError;
          key = Buffer.from((await readFile(file, "utf8")).trim(), "base64");
        }
        await chmod(file, 0o600);
      }
      const id = `local:${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
      return { key, id };
    })());
  return {
    kind: "local",
    async generateDataKey() {
      const { key, id } = await load();
      const plaintext = randomBytes(32);
      return { plaintext, wrapped: seal(key, plaintext), keyId: id };
    },
    async unwrap(wrapped, keyId) {
      const { key, id } = await load();
      if (keyId !== id)
        throw new Error(`data key was wrapped by ${keyId}, but this server holds ${id}`);
      return open(key, wrapped);
    },
  };
}

/** Minimal surface of the KMS client used here (so tests can pass a fake). */
export interface KmsLike {
  generateDataKey(keyId: string): Promise<{ plaintext: Uint8Array; ciphertext: Uint8Array }>;
  decrypt(keyId: string, ciphertext: Uint8Array): Promise<Uint8Array>;
}

/** `@aws-sdk/client-kms`, loaded on first use (most requests never need it). */
export function awsKms(region: string): KmsLike {
  let client:
    | Promise<{
        send: (
          command: unknown,
        ) => Promise<{ Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array }>;
        GenerateDataKeyCommand: new (input: unknown) => unknown;
        DecryptCommand: new (input: unknown) => unknown;
      }>
    | undefined;
  const load = () =>
    (client ??= import("@aws-sdk/client-kms").then((m) => {
      const kms = new m.KMSClient({ region });
      return {
        send: (command: unknown) => kms.send(command as never) as never,
        GenerateDataKeyCommand: m.GenerateDataKeyCommand as never,
        DecryptCommand: m.DecryptCommand as never,
      };
    }));
  return {
    async generateDataKey(keyId) {
      const k = await load();
      const out = await k.send(new k.GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256" }));
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error("KMS returned no data key");
      return { plaintext: out.Plaintext, ciphertext: out.CiphertextBlob };
    },
    async decrypt(keyId, ciphertext) {
      const k = await load();
      const out = await k.send(new k.DecryptCommand({ KeyId: keyId, CiphertextBlob: ciphertext }));
      if (!out.Plaintext) throw new Error("KMS returned no plaintext");
      return out.Plaintext;
    },
  };
}

/** In AWS: data keys from KMS GenerateDataKey, unwrapped by KMS Decrypt. */
export function kmsEnvelopeKey(keyId: string, kms: KmsLike): EnvelopeKey {
  return {
    kind: "kms",
    async generateDataKey() {
      const { plaintext, ciphertext } = await kms.generateDataKey(keyId);
      return {
        plaintext: Buffer.from(plaintext),
        wrapped: Buffer.from(ciphertext).toString("base64"),
        keyId,
      };
    },
    async unwrap(wrapped, storedKeyId) {
      return Buffer.from(await kms.decrypt(storedKeyId, Buffer.from(wrapped, "base64")));
    },
  };
}

const byConfig = new Map<string, EnvelopeKey>();

/** APP_PASSWORD_KMS_KEY_ID → KMS; otherwise the key file under DATA_DIR. One per setting. */
export function envelopeKeyFromConfig(config: {
  DATA_DIR: string;
  AWS_REGION: string;
  APP_PASSWORD_KMS_KEY_ID?: string | undefined;
}): EnvelopeKey {
  const id = config.APP_PASSWORD_KMS_KEY_ID;
  const cacheKey = id ? `kms:${id}` : `local:${config.DATA_DIR}`;
  let key = byConfig.get(cacheKey);
  if (!key) {
    key = id ? kmsEnvelopeKey(id, awsKms(config.AWS_REGION)) : localEnvelopeKey(config.DATA_DIR);
    byConfig.set(cacheKey, key);
  }
  return key;
}
