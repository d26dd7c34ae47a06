import { beforeAll, describe, expect, it } from "vitest";
import { wirings, type TestApiWithStorage } from "@jonquils/local/testing/harness";
import { librarySuite, type Session } from "./support/library";

/** App passwords and API keys: shown once, listed without secrets, revoked. */
describe.each(wirings())("app passwords and API keys ($name)", (wiring) => {
  const suite = librarySuite(wiring);
  let api: TestApiWithStorage;
  let user: Session;
  let other: Session;
  beforeAll(() => {
    ({ api, user, other } = suite.fixture);
  });

  it("app passwords and API keys: shown once, listed without secrets, revoked", async () => {
    const token = user.accessToken;
    const created = await api.request("POST", "/api/v1/auth/app-passwords", {
      token,
      body: { name: "Phone" },
    });
    expect(created.status).toBe(201);
    expect(created.body.password).toMatch(/^[a-z0-9-]{27}$/);
    const list = await api.request("GET", "/api/v1/auth/app-passwords", { token });
    expect(list.body.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(created.body.password);
    const key = await api.request("POST", "/api/v1/auth/api-keys", {
      token,
      body: { name: "CLI" },
    });
    expect(key.status).toBe(201);
    expect(key.body.apiKey).toMatch(/^jqk_/);
    expect(
      JSON.stringify((await api.request("GET", "/api/v1/auth/api-keys", { token })).body),
    ).not.toContain(key.body.apiKey);
    expect(
      (
        await api.request("DELETE", `/api/v1/auth/api-keys/${key.body.id}`, {
          token: other.accessToken,
        })
      ).status,
    ).toBe(404);
    expect(
      (await api.request("DELETE", `/api/v1/auth/api-keys/${key.body.id}`, { token })).status,
    ).toBe(204);
    expect(
      (await api.request("DELETE", `/api/v1/auth/app-passwords/${created.body.id}`, { token }))
        .status,
    ).toBe(204);
    expect((await api.request("GET", "/api/v1/auth/app-passwords", { token })).body.items).toEqual(
      [],
    );
    expect((await api.request("POST", "/api/v1/auth/api-keys", { token, body: {} })).status).toBe(
      400,
    );
  });
});
