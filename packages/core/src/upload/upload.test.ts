import { openDomainTestKit, type DomainTestKit } from "@jonquils/local/testing/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArtist } from "../artist/index";
import type { Actor } from "../context";
import { getUpload, listMyUploads, requestUpload } from "./index";

/** Asking to upload, as the upload service answers, without HTTP, on PGlite. */
describe("upload service", () => {
  let kit: DomainTestKit;
  let artist: Actor;
  beforeAll(async () => {
    kit = await openDomainTestKit();
    const a = await kit.user();
    await createArtist(kit.ctx, a, { name: `Uploader ${process.pid}` });
    artist = { userId: a.userId, role: "artist" };
  }, 60_000);
  afterAll(() => kit?.close());

  it("gives an artist a signed form for their own key and a pending upload with the name they chose", async () => {
    const { upload, presigned } = await requestUpload(kit.ctx, artist, {
      filename: "Été – live.flac",
      contentType: "audio/flac",
      size: 1234,
    });
    expect(upload).toMatchObject({
      status: "pending",
      filename: "Été – live.flac",
      source: "direct",
      trackId: null,
    });
    // ASCII object key under the artist's prefix; the chosen name stays on the upload row.
    expect(upload.key).toMatch(new RegExp(`^u/${artist.userId}/${upload.id}/[\\x21-\\x7e]+$`));
    expect(presigned.url).toMatch(/^http:\/\/localhost:8000\/storage\//);
    expect(await getUpload(kit.ctx, artist, upload.id)).toMatchObject({ id: upload.id });
    const mine = await listMyUploads(kit.ctx, artist, { limit: 10, offset: 0, status: "pending" });
    expect(mine.items.map((u) => u.id)).toContain(upload.id);
  });

  it("refuses what is not audio, what is too large, and a listener, each with its code", async () => {
    await expect(
      requestUpload(kit.ctx, artist, { filename: "x.pdf", contentType: "application/pdf" }),
    ).rejects.toMatchObject({ code: "not_audio", status: 415 });
    await expect(
      requestUpload(kit.ctx, artist, {
        filename: "x.wav",
        contentType: "audio/wav",
        size: 10 ** 12,
      }),
    ).rejects.toMatchObject({ code: "too_large", status: 413 });
    const listener = await kit.user();
    await expect(
      requestUpload(kit.ctx, listener, { filename: "x.mp3", contentType: "audio/mpeg" }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("keeps an upload private to its owner (others get 404) but visible to an admin", async () => {
    const { upload } = await requestUpload(kit.ctx, artist, {
      filename: "private.mp3",
      contentType: "audio/mpeg",
    });
    const stranger = await kit.user();
    await expect(getUpload(kit.ctx, stranger, upload.id)).rejects.toMatchObject({
      code: "upload_not_found",
      status: 404,
    });
    const admin = await kit.user("admin");
    expect((await getUpload(kit.ctx, admin, upload.id)).id).toBe(upload.id);
  });
});
