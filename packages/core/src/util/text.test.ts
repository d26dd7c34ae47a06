import { describe, expect, it } from "vitest";
import { cleanText, nameKey, slugify } from "./text";

describe("text normalisation", () => {
  it("trims, collapses spacing and composes Unicode", () => {
    expect(cleanText("  Cafe\u0301   del \t Mar ")).toBe("Café del Mar");
  });

  it("gives names that differ only by case, width or spacing the same key", () => {
    expect(nameKey("  The  Miles TRIO")).toBe(nameKey("the miles trio"));
    expect(nameKey("ＡＢＣ")).toBe(nameKey("abc"));
    expect(nameKey("Белые Ночи")).toBe(nameKey("белые  ночи"));
    expect(nameKey("Sigur Rós")).not.toBe(nameKey("Sigur Ros"));
  });

  it("slugifies with diacritics removed", () => {
    expect(slugify("Drum & Bass")).toBe("drum-bass");
    expect(slugify("Crème Brûlée")).toBe("creme-brulee");
  });
});
