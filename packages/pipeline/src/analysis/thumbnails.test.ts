import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { analyseAudio } from "./analyse";
import { makeThumbnails } from "./thumbnails";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));
const load = (name: string) => new Uint8Array(readFileSync(FIXTURES + name));

describe("makeThumbnails", () => {
  it("makes square 64 and 300 px WebP thumbnails from a 400×300 JPEG cover", async () => {
    const thumbs = await makeThumbnails({ mime: "image/jpeg", data: load("cover.jpg") });
    expect(thumbs.map((t) => t.size)).toEqual([64, 300]);
    for (const thumb of thumbs) {
      const meta = await sharp(thumb.webp).metadata();
      expect(meta.format).toBe("webp");
      expect(meta.width).toBe(thumb.size);
      expect(meta.height).toBe(thumb.size);
    }
  });

  it("works on the cover read from an audio file", async () => {
    const { cover } = await analyseAudio(load("music.flac"), {
      filename: "music.flac",
      analyse: false,
    });
    if (!cover) throw new Error("no cover");
    expect(await makeThumbnails(cover)).toHaveLength(2);
  });

  it("a corrupt cover gives no thumbnails instead of failing", async () => {
    const { cover } = await analyseAudio(load("corrupt-cover.mp3"), {
      filename: "corrupt-cover.mp3",
      analyse: false,
    });
    if (!cover) throw new Error("no cover");
    await expect(makeThumbnails(cover)).resolves.toEqual([]);
    await expect(makeThumbnails({ mime: "image/png", data: new Uint8Array(0) })).resolves.toEqual(
      [],
    );
    const truncated = load("cover.jpg").subarray(0, 2000);
    await expect(makeThumbnails({ mime: "image/jpeg", data: truncated })).resolves.toEqual([]);
  });
});
