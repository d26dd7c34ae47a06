import { describe, expect, it } from "vitest";
import { cleanText, pickCover, sniffImageMime, titleFromFileName, yearFrom } from "./tags";

describe("titleFromFileName", () => {
  it.each([
    ["03 - Night_Drive.mp3", "Night Drive"],
    ["01. Intro.flac", "Intro"],
    ["1-07 Song Name.m4a", "Song Name"],
    ["A2 Side Two.mp3", "Side Two"],
    ["07_-_Some_Song.ogg", "Some Song"],
    ["uploads/abc/12 Twelve.mp3", "Twelve"],
    ["1979.mp3", "1979"],
    ["99 Luftballons.mp3", "Luftballons"], // ambiguous: a leading number and a space read as a track number
    ["My%20Song.mp3", "My Song"],
    ["Track.mp3", "Track"],
    ["01.mp3", "01"],
  ])("%s → %s", (file, title) => {
    expect(titleFromFileName(file)).toBe(title);
  });
});

describe("tag helpers", () => {
  it("yearFrom reads years from dates", () => {
    expect(yearFrom("2019-05-04")).toBe(2019);
    expect(yearFrom("04/05/1987")).toBe(1987);
    expect(yearFrom(2001)).toBe(2001);
    expect(yearFrom("0")).toBeNull();
    expect(yearFrom("12345")).toBeNull();
    expect(yearFrom(undefined)).toBeNull();
  });

  it("cleanText trims and drops control characters", () => {
    expect(cleanText("  a\u0000b \n ")).toBe("a b");
    expect(cleanText(" \t")).toBeNull();
    expect(cleanText(undefined)).toBeNull();
  });

  it("pickCover prefers the front cover and trusts the bytes over the declared type", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const jpg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const cover = pickCover([
      { format: "image/jpeg", data: jpg, type: "Other" },
      { format: "image/jpeg", data: png, type: "Cover (front)" },
    ]);
    expect(cover?.mime).toBe("image/png");
    expect(pickCover([{ format: "JPG", data: new Uint8Array([1, 2, 3]) }])?.mime).toBe(
      "image/jpeg",
    );
    expect(pickCover([])).toBeNull();
    expect(sniffImageMime(jpg)).toBe("image/jpeg");
  });
});
