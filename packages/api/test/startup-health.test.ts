import { createApp } from "@jonquils/api";
import type { StartupStatus } from "@jonquils/api/env";
import { startTestApi, wirings } from "@jonquils/local/testing/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type Api = Awaited<ReturnType<typeof startTestApi>>;

/** `npm start` opens the port before the demo catalog is ready; /health says which it is. */
describe("GET /health while the demo catalog loads", () => {
  let api: Api;
  beforeAll(async () => {
    api = await startTestApi(wirings()[0]!);
  });
  afterAll(() => api.close());

  it("is healthy (200) and says demo: loading, then ready", async () => {
    let demo: StartupStatus["demo"] = "loading";
    const app = createApp({ ...api.runtime, startup: () => ({ demo }) });
    const loading = await app.request("/health");
    expect(loading.status).toBe(200);
    expect(await loading.json()).toEqual({ status: "ok", demo: "loading" });
    demo = "ready";
    const ready = await app.request("/health");
    expect(await ready.json()).toEqual({ status: "ok", demo: "ready" });
  });

  it("has no demo field where nothing is seeded (Lambda, containers)", async () => {
    const res = await api.app.request("/health");
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
