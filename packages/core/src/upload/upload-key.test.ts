import { describe, expect, it } from "vitest";
import { keyFilename, parseUploadKey, uploadKey } from "./index";

const USER = "5f0c7f6e-8a4b-4b43-9a0e-0d7a9d1b2c3d";
const UPLOAD = "0b8e6c1a-2d3f-4e5a-9b7c-1d2e3f4a5b6c";

describe("upload keys", () => {
  it("are ASCII, so S3's URL-encoded event keys match the registered ones", () => {
    for (const name of ["My Song.mp3", "Déjà Vu (live).flac", "Ёлка во дворе.ogg", "a+b&c.mp3"]) {
      const key = uploadKey(USER, UPLOAD, name);
      expect(key, name).toMatch(/^[A-Za-z0-9/._-]+$/);
      // What an S3 event carries is encodeURIComponent with spaces as '+': unchanged here.
      expect(encodeURIComponent(key).replaceAll("%2F", "/"), name).toBe(key);
      expect(parseUploadKey(key)?.uploadId).toBe(UPLOAD);
    }
  });

  it("keep what they can of the name and its extension", () => {
    expect(keyFilename("My Song.mp3")).toBe("My_Song.mp3");
    expect(keyFilename("Déjà Vu (live).flac")).toBe("Deja_Vu_live.flac");
    expect(keyFilename("Ёлка во дворе.ogg")).toBe("audio.ogg");
    expect(keyFilename("../../x/track.wav")).toBe("track.wav");
  });
});
