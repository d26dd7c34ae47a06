import { Redis } from "ioredis";
import { randomBytes } from "node:crypto";

/**
 * Redis for a contract suite: a client per adapter under a unique key prefix, and a
 * cleanup that removes exactly those keys (counters never expire by design) and quits.
 * `url` is undefined when REDIS_URL is not set: the suite then runs its memory cases only.
 */
export function redisTestKit(url = process.env["REDIS_URL"] || undefined) {
  const clients: Redis[] = [];
  const prefixes: string[] = [];
  return {
    url,
    connect(): { redis: Redis; prefix: string } {
      if (!url) throw new Error("REDIS_URL is not set");
      const redis = new Redis(url, { maxRetriesPerRequest: 1 });
      const prefix = `jqtest:${randomBytes(6).toString("hex")}:`;
      clients.push(redis);
      prefixes.push(prefix);
      return { redis, prefix };
    },
    async cleanup(): Promise<void> {
      for (const [i, c] of clients.entries()) {
        const keys = await c.keys(`${prefixes[i]}*`);
        if (keys.length > 0) await c.del(...keys);
      }
      await Promise.all(clients.map((c) => c.quit()));
    },
  };
}
