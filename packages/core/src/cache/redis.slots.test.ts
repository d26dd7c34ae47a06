import { Redis } from "ioredis";
import { createRequire } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import { createRedisRateLimitStore } from "../rate-limit/rate-limit";
import { redisTestKit } from "../testing/redis";
import { createRedisCache } from "./redis";

// ioredis's own hash-slot function (CRC16 of the key or its {hash tag}), untyped CommonJS.
const calculateSlot = createRequire(import.meta.url)("cluster-key-slot") as (key: string) => number;
const kit = redisTestKit();
afterAll(() => kit.cleanup());

/** The keys a command names (the multi-key commands Redis Cluster checks; others: the first). */
function keysOf(command: string, args: string[]): string[] {
  switch (command) {
    case "del":
    case "unlink":
    case "exists":
    case "mget":
    case "touch":
    case "watch":
      return args;
    case "mset":
    case "msetnx":
      return args.filter((_, i) => i % 2 === 0);
    case "eval":
    case "evalsha":
      return args.slice(2, 2 + Number(args[1]));
    default:
      return args.slice(0, 1);
  }
}

/**
 * Valkey Serverless (ElastiCache) is always cluster mode: a command naming keys of different
 * hash slots fails with CROSSSLOT. A cluster is not easy to run here, so the real Redis records
 * every command the adapters send (MONITOR) and each one's keys must share one slot.
 */
describe.skipIf(!kit.url)("Redis adapters in cluster mode (no cross-slot command)", () => {
  it("invalidates many cache keys and counts rate limits without a command spanning slots", async () => {
    const { redis, prefix } = kit.connect();
    const monitor = await new Redis(kit.url!).monitor();
    const seen: { command: string; args: string[] }[] = [];
    monitor.on("monitor", (_time: string, args: string[]) => {
      const [command, ...rest] = args;
      if (rest.some((a) => a.includes(prefix)))
        seen.push({ command: command!.toLowerCase(), args: rest });
    });
    try {
      const cache = createRedisCache(redis, createLogger("silent"), prefix);
      const keys = Array.from({ length: 20 }, (_, i) => `track:${i}`);
      // Keys this short land in several slots: the case CROSSSLOT refuses.
      expect(new Set(keys.map((k) => calculateSlot(prefix + k))).size).toBeGreaterThan(1);
      for (const k of keys) await cache.set(k, { k }, 60);
      await cache.delete(...keys);
      for (const k of keys) expect(await cache.get(k)).toBeUndefined();
      await cache.increment("gen");
      await cache.readCounter("gen");
      const limiter = createRedisRateLimitStore(redis, `${prefix}rl:`).create("login", 5, 60);
      await limiter.consume("1.2.3.4");
      await limiter.peek("1.2.3.4");
      await limiter.reset("1.2.3.4");
      // Let MONITOR deliver what was sent.
      await redis.ping();
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.some((c) => c.command === "del")).toBe(true);
      for (const { command, args } of seen) {
        const slots = new Set(keysOf(command, args).map((k) => calculateSlot(k)));
        expect(slots.size, `${command} ${args.join(" ")}`).toBeLessThanOrEqual(1);
      }
    } finally {
      monitor.disconnect();
    }
  });
});
