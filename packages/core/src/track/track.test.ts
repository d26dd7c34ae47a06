import { openDomainTestKit, type DomainTestKit } from "@jonquils/local/testing/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlbum } from "../album/index";
import { createArtist } from "../artist/index";
import type { Actor } from "../context";
import { createTrack, deleteTrack, getTrack, updateTrack } from "./index";

/** An artist's catalog edits, as the track service applies them, without HTTP, on PGlite. */
describe("track service", () => {
  let kit: DomainTestKit;
  let artist: Actor;
  let otherArtist: Actor;
  beforeAll(async () => {
    kit = await openDomainTestKit();
    const a = await kit.user();
    await createArtist(kit.ctx, a, { name: `Track Owner ${process.pid}` });
    artist = { userId: a.userId, role: "artist" };
    const b = await kit.user();
    await createArtist(kit.ctx, b, { name: `Someone Else ${process.pid}` });
    otherArtist = { userId: b.userId, role: "artist" };
  }, 60_000);
  afterAll(() => kit?.close());

  it("files a new track under the artist's own profile and album, with cleaned text", async () => {
    const album = await createAlbum(kit.ctx, artist, { title: "First Light" });
    const track = await createTrack(kit.ctx, artist, {
      title: "  Dawn \n\t Chorus ",
      albumId: album.id,
      trackNumber: 1,
      durationMs: 200_000,
    });
    expect(track.title).toBe("Dawn Chorus");
    expect(track.artist.name).toBe(`Track Owner ${process.pid}`);
    expect(track.album).toMatchObject({ id: album.id, title: "First Light" });
    expect((await getTrack(kit.ctx, track.id)).durationMs).toBe(200_000);
  });

  it("lets only the owning artist edit or delete, and says why", async () => {
    const track = await createTrack(kit.ctx, artist, { title: "Mine", durationMs: 1000 });
    await expect(
      updateTrack(kit.ctx, otherArtist, track.id, { title: "Theirs" }),
    ).rejects.toMatchObject({
      code: "not_owner",
      status: 403,
    });
    const renamed = await updateTrack(kit.ctx, artist, track.id, {
      title: "Still mine",
      year: 2024,
    });
    expect(renamed).toMatchObject({ title: "Still mine", year: 2024 });
    await expect(deleteTrack(kit.ctx, otherArtist, track.id)).rejects.toMatchObject({
      code: "not_owner",
    });
    await deleteTrack(kit.ctx, artist, track.id);
    await expect(getTrack(kit.ctx, track.id)).rejects.toMatchObject({ code: "track_not_found" });
  });

  it("refuses another artist's album and a genre that does not exist", async () => {
    const theirs = await createAlbum(kit.ctx, otherArtist, { title: "Not Yours" });
    await expect(
      createTrack(kit.ctx, artist, { title: "Stray", albumId: theirs.id, durationMs: 1000 }),
    ).rejects.toMatchObject({ code: "album_mismatch", status: 422 });
    await expect(
      createTrack(kit.ctx, artist, { title: "Odd genre", genreId: 999_999, durationMs: 1000 }),
    ).rejects.toMatchObject({ code: "unknown_reference", status: 422 });
  });

  it("refuses a listener with no artist profile", async () => {
    const listener = await kit.user();
    await expect(
      createTrack(kit.ctx, listener, { title: "Nope", durationMs: 1000 }),
    ).rejects.toMatchObject({
      code: "artist_role_required",
      status: 403,
    });
  });
});
