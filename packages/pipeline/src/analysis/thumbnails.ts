/**
 * Cover thumbnails with sharp: square, centre "cover" crop, WebP, 64 and 300 px.
 *
 * A corrupt or unsupported image does not fail the track: makeThumbnails resolves to []
 * and the caller adds CORRUPT_COVER_WARNING to the track's warnings (makeThumbnails has
 * no warnings list of its own). Images smaller than a size are upscaled to it.
 */
import sharp from "sharp";
import type { CoverArt } from "./types";

export const THUMBNAIL_SIZES = [64, 300] as const;
export type ThumbnailSize = (typeof THUMBNAIL_SIZES)[number];

export interface Thumbnail {
  size: ThumbnailSize;
  webp: Uint8Array;
}

export const CORRUPT_COVER_WARNING =
  "the embedded cover image could not be read: no thumbnails were made";

/** Covers above this many pixels (e.g. 8000×8000) are refused rather than decoded. */
const MAX_INPUT_PIXELS = 40_000_000;

export async function makeThumbnails(cover: CoverArt): Promise<Thumbnail[]> {
  if (cover.data.length === 0) return [];
  try {
    const image = sharp(cover.data, {
      failOn: "error",
      limitInputPixels: MAX_INPUT_PIXELS,
    }).autoOrient();
    return await Promise.all(
      THUMBNAIL_SIZES.map(async (size) => {
        const buffer = await image
          .clone()
          .resize(size, size, { fit: "cover", position: "centre" })
          .webp({ quality: size <= 64 ? 75 : 80 })
          .toBuffer();
        return { size, webp: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) };
      }),
    );
  } catch {
    return [];
  }
}
