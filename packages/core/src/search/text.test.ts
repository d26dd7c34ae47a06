import { describe, expect, it } from "vitest";
import {
  editDistance,
  foldText,
  highlightWords,
  tokenize,
  transpositions,
  typoBudget,
  wordMatches,
} from "./text";

describe("search text rules", () => {
  it("folds case and diacritics in Latin and Cyrillic, keeping й", () => {
    expect(foldText("Ёлка")).toBe("елка");
    expect(foldText("Çok Güzel")).toBe("cok guzel");
    expect(foldText("Crème Brûlée")).toBe("creme brulee");
    expect(foldText("Straße Ærø Łódź İstanbul")).toBe("strasse aero lodz istanbul");
    expect(foldText("Йошкар-Ола")).toBe("йошкар-ола");
  });

  it("splits into folded words", () => {
    expect(tokenize("Walking on 52nd — Déjà-Vu!")).toEqual(["walking", "on", "52nd", "deja", "vu"]);
    expect(tokenize(" -- ")).toEqual([]);
  });

  it("forgives no edit below 4 characters, one from 4, two from 8", () => {
    expect([3, 4, 7, 8, 12].map((n) => typoBudget("x".repeat(n)))).toEqual([0, 1, 1, 2, 2]);
    expect(typoBudget("ёлка")).toBe(1); // characters, not bytes
  });

  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("drfit", "drift")).toBe(1);
    expect(editDistance("lkea", "lake")).toBe(2);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(transpositions("abc")).toEqual(["bac", "acb"]);
  });

  it("matches words within the budget, and prefixes of the last word", () => {
    expect(wordMatches("drift", "drfit", false)).toBe(true);
    expect(wordMatches("snow", "snw", false)).toBe(false);
    expect(wordMatches("midnight", "midn", true)).toBe(true);
    expect(wordMatches("midnight", "midm", true)).toBe(true);
    expect(wordMatches("midnight", "midm", false)).toBe(false);
  });

  it("escapes HTML and marks matched words in the original spelling", () => {
    const q = (w: string) => w === "creme" || w === "b";
    expect(highlightWords('<b>Crème</b> & "brûlée"', q)).toBe(
      "&lt;<mark>b</mark>&gt;<mark>Crème</mark>&lt;/<mark>b</mark>&gt; &amp; &quot;brûlée&quot;",
    );
  });
});
