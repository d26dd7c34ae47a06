import { describe, expect, it } from "vitest";
import { createLru } from "./lru";

describe("createLru", () => {
  it("holds at most max entries and evicts the least recently used", () => {
    const lru = createLru<string, number>(3);
    lru.set("a", 1);
    lru.set("b", 2);
    lru.set("c", 3);
    expect(lru.get("a")).toBe(1); // a is now the most recent
    lru.set("d", 4);
    expect(lru.size).toBe(3);
    expect(lru.has("b")).toBe(false);
    expect([...lru.keys()].sort()).toEqual(["a", "c", "d"]);
    lru.set("a", 5); // an update does not grow it
    expect(lru.size).toBe(3);
    expect(lru.get("a")).toBe(5);
  });

  it("expires entries after their ttl", () => {
    let now = 1_000;
    const lru = createLru<string, number>(10, {
      ttl: 100,
      ttlResolution: 0,
      perf: { now: () => now },
    });
    lru.set("a", 1);
    now += 99;
    expect(lru.get("a")).toBe(1);
    now += 2;
    expect(lru.get("a")).toBeUndefined();
  });

  it("allocates nothing up front, so a large bound costs nothing at start", () => {
    const started = performance.now();
    for (let i = 0; i < 20; i++) createLru<string, number>(1_000_000, { ttl: 1000 });
    expect(performance.now() - started).toBeLessThan(50);
  });
});
