import { openDomainTestKit, type DomainTestKit } from "@jonquils/local/testing/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArtist, getArtist, listArtists } from "./index";

/** Becoming an artist, as the artist service decides it, without HTTP, on PGlite. */
describe("artist service", () => {
  let kit: DomainTestKit;
  beforeAll(async () => {
    kit = await openDomainTestKit();
  }, 60_000);
  afterAll(() => kit?.close());

  it("turns a user into the artist of a new profile, found by a name search", async () => {
    const user = await kit.user();
    const created = await createArtist(kit.ctx, user, { name: `Jonquil Choir ${process.pid}` });
    expect(created.userId).toBe(user.userId);
    expect((await getArtist(kit.ctx, created.id)).name).toBe(`Jonquil Choir ${process.pid}`);
    const found = await listArtists(kit.ctx, { q: "jonquil choir", limit: 10, offset: 0 });
    expect(found.items.map((a) => a.id)).toContain(created.id);
  });

  it("refuses a second profile and a name taken under other spacing or case", async () => {
    const user = await kit.user();
    await createArtist(kit.ctx, user, { name: `Night Owls ${process.pid}` });
    await expect(
      createArtist(kit.ctx, user, { name: `Another ${process.pid}` }),
    ).rejects.toMatchObject({ code: "already_artist", status: 409 });
    const second = await kit.user();
    await expect(
      createArtist(kit.ctx, second, { name: `  night   OWLS ${process.pid}` }),
    ).rejects.toMatchObject({ code: "artist_name_taken", status: 409 });
  });

  it("lets only an admin create an artist not linked to an account", async () => {
    const user = await kit.user();
    await expect(
      createArtist(kit.ctx, user, { name: `Unlinked ${process.pid}`, unlinked: true }),
    ).rejects.toMatchObject({ status: 403 });
    const admin = await kit.user("admin");
    const made = await createArtist(kit.ctx, admin, {
      name: `Unlinked ${process.pid}`,
      unlinked: true,
    });
    expect(made.userId).toBeNull();
    await expect(getArtist(kit.ctx, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({
      code: "artist_not_found",
    });
  });
});
