import { redisTestKit } from "../testing/redis";
import { afterAll, describe, expect, it } from "vitest";
import {
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
  type RateLimitStore,
} from "./rate-limit";

const redis = redisTestKit();
const stores: [string, () => RateLimitStore][] = [["memory", createMemoryRateLimitStore]];
if (redis.url) {
  stores.push([
    "redis",
    () => {
      const { redis: client, prefix } = redis.connect();
      return createRedisRateLimitStore(client, prefix);
    },
  ]);
}
afterAll(() => redis.cleanup());

describe.each(stores)("rate limit contract (%s)", (_name, make) => {
  const store = make();

  it("allows up to the limit in a window, then refuses with the time to wait", async () => {
    const limiter = store.create("t1", 3, 60);
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.consume("k"));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    expect(decisions[3]!.resetSeconds).toBeGreaterThan(0);
    expect(decisions[3]!.resetSeconds).toBeLessThanOrEqual(60);
  });

  it("keeps keys and limiters apart", async () => {
    const a = store.create("t2", 1, 60);
    const b = store.create("t3", 1, 60);
    expect((await a.consume("x")).allowed).toBe(true);
    expect((await a.consume("y")).allowed).toBe(true);
    expect((await b.consume("x")).allowed).toBe(true);
    expect((await a.consume("x")).allowed).toBe(false);
  });

  it("peeks without counting, and reset clears the key", async () => {
    const limiter = store.create("t4", 2, 60);
    expect((await limiter.peek("p")).allowed).toBe(true);
    await limiter.consume("p");
    await limiter.consume("p");
    expect((await limiter.peek("p")).allowed).toBe(false);
    expect((await limiter.peek("p")).allowed).toBe(false);
    await limiter.reset("p");
    expect((await limiter.peek("p")).allowed).toBe(true);
  });

  it("opens again when the window passes", async () => {
    const limiter = store.create("t5", 1, 1);
    await limiter.consume("w");
    expect((await limiter.consume("w")).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await limiter.consume("w")).allowed).toBe(true);
  });
});
