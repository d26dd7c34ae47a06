import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createLazyStore, type AnalyticsStore } from "./store";

const failing = (error: Error): AnalyticsStore => ({
  kind: "clickhouse",
  migrate: () => Promise.resolve(),
  insert: () => Promise.reject(error),
  select: () => Promise.reject(error),
  ping: () => Promise.reject(error),
  close: () => Promise.resolve(),
});

describe("the lazy analytics store", () => {
  it("turns a store that cannot answer a read into a 503 the client can retry, not a 500", async () => {
    const store = createLazyStore("clickhouse", () =>
      Promise.resolve(failing(new Error("connect ECONNREFUSED 10.0.0.7:8443"))),
    );
    const read = store.select("SELECT 1");
    await expect(read).rejects.toBeInstanceOf(AppError);
    await expect(read).rejects.toMatchObject({ status: 503, code: "analytics_unavailable" });
    // The internal address stays in the logs, out of the answer.
    await expect(read).rejects.not.toMatchObject({ message: expect.stringContaining("10.0.0.7") });
  });

  it("retries opening after a failed open, and a store that cannot open is a 503 too", async () => {
    let attempts = 0;
    const store = createLazyStore("chdb", () => {
      attempts++;
      return attempts === 1
        ? Promise.reject(new Error("data directory locked"))
        : Promise.resolve<AnalyticsStore>({
            ...failing(new Error("x")),
            select: <T>() => Promise.resolve([{ n: 1 }] as T[]),
          });
    });
    await expect(store.select("SELECT 1")).rejects.toMatchObject({ status: 503 });
    await expect(store.select("SELECT 1")).resolves.toEqual([{ n: 1 }]);
    expect(attempts).toBe(2);
  });
});
