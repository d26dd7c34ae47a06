import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kmsEnvelopeKey, localEnvelopeKey, open, seal, type KmsLike } from "./envelope";

describe("envelope key", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("local: creates a 0600 key file on first use, wraps and unwraps data keys, survives a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jq-envelope-"));
    dirs.push(dir);
    const key = localEnvelopeKey(dir);
    const dk = await key.generateDataKey();
    const file = join(dir, "app-password-key");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, "utf8")).trim(), "base64")).toHaveLength(32);
    expect(dk.wrapped).not.toContain(dk.plaintext.toString("base64url"));
    const sealed = seal(dk.plaintext, Buffer.from("secret app password"));
    // A new process (a new adapter over the same folder) reads the same key.
    const again = localEnvelopeKey(dir);
    const unwrapped = await again.unwrap(dk.wrapped, dk.keyId);
    expect(open(unwrapped, sealed).toString()).toBe("secret app password");
  });

  it("local: refuses a data key wrapped under another key, and tampered ciphertext", async () => {
    const a = await mkdtemp(join(tmpdir(), "jq-envelope-"));
    const b = await mkdtemp(join(tmpdir(), "jq-envelope-"));
    dirs.push(a, b);
    const dk = await localEnvelopeKey(a).generateDataKey();
    await expect(localEnvelopeKey(b).unwrap(dk.wrapped, dk.keyId)).rejects.toThrow(/wrapped by/);
    const sealed = seal(dk.plaintext, Buffer.from("x"));
    const bytes = Buffer.from(sealed, "base64url");
    bytes[14] = bytes[14]! ^ 1;
    expect(() => open(dk.plaintext, bytes.toString("base64url"))).toThrow();
  });

  it("KMS: data keys from GenerateDataKey, unwrapped by Decrypt with the stored key id", async () => {
    const calls: string[] = [];
    const fake: KmsLike = {
      async generateDataKey(keyId) {
        calls.push(`generate ${keyId}`);
        const plaintext = new Uint8Array(32).fill(7);
        return { plaintext, ciphertext: new Uint8Array([1, 2, 3]) };
      },
      async decrypt(keyId, ciphertext) {
        calls.push(`decrypt ${keyId} ${Buffer.from(ciphertext).toString("hex")}`);
        return new Uint8Array(32).fill(7);
      },
    };
    const key = kmsEnvelopeKey("alias/jonquils-app-passwords", fake);
    const dk = await key.generateDataKey();
    expect(dk.keyId).toBe("alias/jonquils-app-passwords");
    expect(await key.unwrap(dk.wrapped, dk.keyId)).toEqual(Buffer.alloc(32, 7));
    expect(calls).toEqual([
      "generate alias/jonquils-app-passwords",
      "decrypt alias/jonquils-app-passwords 010203",
    ]);
  });
});
