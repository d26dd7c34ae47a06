import { afterAll, describe, expect, it } from "vitest";
import bcrypt from "bcryptjs";
import { createPasswordHasher } from "./hasher";
import { assertPasswordStrength, commonPasswords } from "./password-policy";

describe("password hasher (bounded worker pool)", () => {
  const hasher = createPasswordHasher({ threads: 1, maxQueued: 2 });
  afterAll(() => hasher.close());

  it("hashes and verifies off the event loop, compatible with bcryptjs", async () => {
    const hash = await hasher.hash("correct horse battery", 4);
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await bcrypt.compare("correct horse battery", hash)).toBe(true);
    expect(await hasher.verify("correct horse battery", hash)).toBe(true);
    expect(await hasher.verify("wrong", hash)).toBe(false);
  });

  it("keeps the event loop free while hashing (timers fire on time)", async () => {
    let maxLag = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 5);
      last = now;
    }, 5);
    await hasher.hash("correct horse battery", 11); // ~0.15–0.3 s of CPU in the worker
    clearInterval(timer);
    expect(maxLag).toBeLessThan(60);
  });

  it("answers 503 server_busy at once beyond the running + queued budget", async () => {
    const started = performance.now();
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5, 6].map(() => hasher.hash("correct horse battery", 8)),
    );
    const refused = results.filter((r) => r.status === "rejected");
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      const reason = r.reason as { status: number; code: string };
      expect(reason.status).toBe(503);
      expect(reason.code).toBe("server_busy");
    }
    expect(performance.now() - started).toBeLessThan(5000);
    expect(hasher.load).toBe(0);
  });
});

describe("password policy", () => {
  const account = { username: "alice", email: "alice.w@example.com" };
  it("ships at least 10,000 common passwords", () => {
    expect(commonPasswords().size).toBeGreaterThanOrEqual(10_000);
    expect(commonPasswords().has("password")).toBe(true);
    expect(commonPasswords().has("12345678")).toBe(true);
  });
  it.each([
    "12345678",
    "password",
    "        ",
    "PASSWORD",
    "alice.w@example.com",
    "alice.w",
    "zzzzzzzz",
  ])("refuses %j", (pw) =>
    expect(() => assertPasswordStrength(pw, account)).toThrow(/stronger password/),
  );
  it.each(["correct horse battery", "Tr0ub4dor&3x", "ёлка-палка 2026"])("accepts %j", (pw) =>
    expect(() => assertPasswordStrength(pw, account)).not.toThrow(),
  );
});
