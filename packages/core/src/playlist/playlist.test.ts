import { openDomainTestKit, type DomainTestKit } from "@jonquils/local/testing/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../context";
import { createArtist } from "../artist/index";
import { createTrack } from "../track/index";
import {
  addPlaylistTrack,
  createPlaylist,
  deletePlaylist,
  getPlaylist,
  listMyPlaylists,
  removePlaylistTrack,
  reorderPlaylist,
} from "./index";

/** The playlist service as a listener uses it, without HTTP, on PGlite. */
describe("playlist service", () => {
  let kit: DomainTestKit;
  let owner: Actor;
  let other: Actor;
  const trackIds: string[] = [];
  beforeAll(async () => {
    kit = await openDomainTestKit();
    const artist = await kit.user();
    await createArtist(kit.ctx, artist, { name: `Playlist Artist ${process.pid}` });
    const artistActor: Actor = { userId: artist.userId, role: "artist" };
    for (const title of ["One", "Two", "Three"])
      trackIds.push((await createTrack(kit.ctx, artistActor, { title, durationMs: 1000 })).id);
    owner = await kit.user();
    other = await kit.user();
  }, 60_000);
  afterAll(() => kit?.close());

  it("keeps tracks in the order the owner sets, and lists the playlist as theirs", async () => {
    const p = await createPlaylist(kit.ctx, owner, { title: "Road trip", isPublic: false });
    for (const id of trackIds) await addPlaylistTrack(kit.ctx, owner, p.id, id);
    const reordered = await reorderPlaylist(kit.ctx, owner, p.id, [...trackIds].reverse());
    expect(reordered.tracks.map((t) => t.track.title)).toEqual(["Three", "Two", "One"]);
    const mine = await listMyPlaylists(kit.ctx, owner, { limit: 10, offset: 0 });
    expect(mine.items.map((x) => x.title)).toContain("Road trip");
  });

  it("refuses the same track twice and a track that does not exist, with their own codes", async () => {
    const p = await createPlaylist(kit.ctx, owner, { title: "Strict", isPublic: false });
    await addPlaylistTrack(kit.ctx, owner, p.id, trackIds[0]!);
    await expect(addPlaylistTrack(kit.ctx, owner, p.id, trackIds[0]!)).rejects.toMatchObject({
      code: "track_already_in_playlist",
      status: 409,
    });
    await expect(
      addPlaylistTrack(kit.ctx, owner, p.id, "00000000-0000-4000-8000-000000000000"),
    ).rejects.toMatchObject({ code: "track_not_found", status: 404 });
  });

  it("hides a private playlist from others and lets only the owner change it", async () => {
    const p = await createPlaylist(kit.ctx, owner, { title: "Secret", isPublic: false });
    await expect(getPlaylist(kit.ctx, other, p.id)).rejects.toMatchObject({ status: 404 });
    // Someone else's private playlist does not exist as far as they can tell.
    await expect(addPlaylistTrack(kit.ctx, other, p.id, trackIds[1]!)).rejects.toMatchObject({
      code: "playlist_not_found",
    });
    await expect(deletePlaylist(kit.ctx, other, p.id)).rejects.toMatchObject({
      code: "playlist_not_found",
    });
    await addPlaylistTrack(kit.ctx, owner, p.id, trackIds[1]!);
    await removePlaylistTrack(kit.ctx, owner, p.id, trackIds[1]!);
    expect((await getPlaylist(kit.ctx, owner, p.id)).tracks).toEqual([]);
    await deletePlaylist(kit.ctx, owner, p.id);
    await expect(getPlaylist(kit.ctx, owner, p.id)).rejects.toMatchObject({ status: 404 });
  });
});
