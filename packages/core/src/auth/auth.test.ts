import { openDomainTestKit, type DomainTestKit } from "@jonquils/local/testing/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Sign-up, sign-in and sessions as the auth service runs them, without HTTP, on PGlite. */
describe("auth service", () => {
  let kit: DomainTestKit;
  const meta = { ip: "198.51.100.77" };
  beforeAll(async () => {
    kit = await openDomainTestKit();
  }, 60_000);
  afterAll(() => kit?.close());

  it("signs up, signs in by username or email, and the token names the user", async () => {
    const { auth } = kit.runtime;
    const made = await auth.register(
      { username: "wren", email: "wren@example.com", password: "correct horse battery" },
      meta,
    );
    const byEmail = await auth.login("WREN@example.com", "correct horse battery", meta);
    expect(byEmail.user.id).toBe(made.user.id);
    const actor = await auth.verifyAccessToken(byEmail.accessToken);
    expect(actor).toEqual({ userId: made.user.id, role: "user" });
  });

  it("refuses a taken username or email with a code that says which", async () => {
    const { auth } = kit.runtime;
    await auth.register(
      { username: "lark", email: "lark@example.com", password: "correct horse battery" },
      meta,
    );
    await expect(
      auth.register(
        { username: "lark", email: "other@example.com", password: "correct horse battery" },
        meta,
      ),
    ).rejects.toMatchObject({ code: "username_taken", status: 409 });
    await expect(
      auth.register(
        { username: "lark2", email: "lark@example.com", password: "correct horse battery" },
        meta,
      ),
    ).rejects.toMatchObject({ code: "email_taken", status: 409 });
  });

  it("refuses a wrong password without saying whether the account exists", async () => {
    const { auth } = kit.runtime;
    await auth.register(
      { username: "finch", email: "finch@example.com", password: "correct horse battery" },
      meta,
    );
    const wrong = auth.login("finch", "not the password", meta);
    const nobody = auth.login("nobody-here", "not the password", meta);
    await expect(wrong).rejects.toMatchObject({ code: "invalid_credentials", status: 401 });
    await expect(nobody).rejects.toMatchObject({ code: "invalid_credentials", status: 401 });
  });

  it("rotates the refresh token on refresh; after logout the session cannot be refreshed", async () => {
    const { auth } = kit.runtime;
    const first = await auth.register(
      { username: "robin", email: "robin@example.com", password: "correct horse battery" },
      meta,
    );
    const second = await auth.refresh(first.refreshToken, meta);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await auth.logout(second.refreshToken, meta);
    await expect(auth.refresh(second.refreshToken, meta)).rejects.toMatchObject({ status: 401 });
  });
});
