import { openDomainTestKit, type DomainTestKit } from "@jonquils/local/testing/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArtist } from "../artist/index";
import type { Actor } from "../context";
import { createTrack } from "../track/index";
import { createAlbum, getAlbum, listAlbums } from "./index";

/** Albums as the album service keeps them, without HTTP, on PGlite. */
describe("album service", () => {
  let kit: DomainTestKit;
  let artist: Actor;
  beforeAll(async () => {
    kit = await openDomainTestKit();
    const a = await kit.user();
    await createArtist(kit.ctx, a, { name: `Album Maker ${process.pid}` });
    artist = { userId: a.userId, role: "artist" };
  }, 60_000);
  afterAll(() => kit?.close());

  it("shows an album with its tracks in disc and track order", async () => {
    const album = await createAlbum(kit.ctx, artist, {
      title: "Seasons",
      releaseDate: "2024-03-01",
    });
    for (const [n, title] of [
      [2, "Summer"],
      [1, "Spring"],
    ] as const)
      await createTrack(kit.ctx, artist, {
        title,
        albumId: album.id,
        trackNumber: n,
        durationMs: 1000,
      });
    const detail = await getAlbum(kit.ctx, album.id);
    expect(detail.tracks.map((t) => t.title)).toEqual(["Spring", "Summer"]);
    const listed = await listAlbums(kit.ctx, { limit: 50, offset: 0 });
    expect(listed.items.map((a) => a.id)).toContain(album.id);
  });

  it("refuses a second album of the same title by the same artist (409 album_exists)", async () => {
    await createAlbum(kit.ctx, artist, { title: "Twice" });
    await expect(createAlbum(kit.ctx, artist, { title: "  twice " })).rejects.toMatchObject({
      code: "album_exists",
      status: 409,
    });
  });

  it("says which album is missing", async () => {
    await expect(getAlbum(kit.ctx, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({
      code: "album_not_found",
      status: 404,
    });
  });
});
