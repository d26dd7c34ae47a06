import { describe, expect, it } from "vitest";
import { ID3V1_GENRES, normaliseGenre } from "./genre-normalise";

/** The seeded catalog list (packages/core/migrations/0001_genres.sql). */
// prettier-ignore
const SEEDED: [string, string][] = [
  ["Rock", "rock"], ["Pop", "pop"], ["Hip-Hop", "hip-hop"], ["Electronic", "electronic"], ["House", "house"],
  ["Techno", "techno"], ["Ambient", "ambient"], ["Jazz", "jazz"], ["Blues", "blues"], ["Classical", "classical"],
  ["Folk", "folk"], ["Country", "country"], ["R&B", "randb"], ["Soul", "soul"], ["Funk", "funk"],
  ["Reggae", "reggae"], ["Metal", "metal"], ["Punk", "punk"], ["Indie", "indie"], ["Alternative", "alternative"],
  ["Latin", "latin"], ["World", "world"], ["Soundtrack", "soundtrack"], ["Lo-Fi", "lo-fi"],
  ["Drum & Bass", "drum-and-bass"], ["Dubstep", "dubstep"], ["Disco", "disco"], ["Gospel", "gospel"],
  ["Experimental", "experimental"], ["Spoken Word", "spoken-word"],
];
const KNOWN = SEEDED.map(([name, slug]) => ({ name, slug }));
const norm = (raw: string) => normaliseGenre(raw, KNOWN);

describe("normaliseGenre", () => {
  it("matches names and slugs whatever the case, punctuation and diacritics", () => {
    for (const [name, slug] of SEEDED) {
      expect(norm(name)).toBe(slug);
      expect(norm(slug)).toBe(slug);
      expect(norm(name.toUpperCase())).toBe(slug);
      expect(norm(` ${name.toLowerCase()} `)).toBe(slug);
    }
    expect(norm("Jázz")).toBe("jazz");
    expect(norm("CLASSICAL!")).toBe("classical");
    expect(norm("Électronique")).toBe("electronic");
  });

  it("maps the common aliases", () => {
    const cases: [string, string][] = [
      ["Hip Hop", "hip-hop"],
      ["hiphop", "hip-hop"],
      ["Rap", "hip-hop"],
      ["Hip-Hop/Rap", "hip-hop"],
      ["Electronica", "electronic"],
      ["EDM", "electronic"],
      ["Electronica/Dance", "electronic"],
      ["Rock & Roll", "rock"],
      ["Rock 'n' Roll", "rock"],
      ["Rock and Roll", "rock"],
      ["R'n'B", "randb"],
      ["RnB", "randb"],
      ["R&B", "randb"],
      ["Rhythm & Blues", "randb"],
      ["R & B", "randb"],
      ["Drum'n'Bass", "drum-and-bass"],
      ["DnB", "drum-and-bass"],
      ["Drum and Bass", "drum-and-bass"],
      ["lofi", "lo-fi"],
      ["Lo Fi", "lo-fi"],
      ["Original Score", "soundtrack"],
      ["OST", "soundtrack"],
      ["Audiobook", "spoken-word"],
      ["Alternative Rock", "alternative"],
      ["Indie Rock", "indie"],
      ["Neo-Soul", "soul"],
      ["Reggaeton", "latin"],
      ["Singer-Songwriter", "folk"],
    ];
    for (const [raw, slug] of cases) expect(norm(raw), raw).toBe(slug);
  });

  it("falls back to the genre family word", () => {
    expect(norm("Deep House")).toBe("house");
    expect(norm("Melodic Death Metal")).toBe("metal");
    expect(norm("Detroit Techno")).toBe("techno");
    expect(norm("Free Jazz")).toBe("jazz");
  });

  it("resolves ID3v1 numeric genres", () => {
    expect(ID3V1_GENRES).toHaveLength(192);
    expect(norm("(17)")).toBe("rock");
    expect(norm("17")).toBe("rock");
    expect(norm("(17)Rock")).toBe("rock");
    expect(norm("(7)")).toBe("hip-hop");
    expect(norm("(14)")).toBe("randb");
    expect(norm("(12)")).toBeNull(); // "Other"
    expect(norm("(255)")).toBeNull();
  });

  it("tries each part of a multi-genre tag", () => {
    expect(norm("Rock; Pop")).toBe("rock");
    expect(norm("Whatever / Jazz")).toBe("jazz");
  });

  it("returns null for the unknown and the meaningless", () => {
    for (const raw of ["", "   ", "Other", "Unknown", "Genre", "Misc", "Zzyzx"])
      expect(norm(raw), raw).toBeNull();
  });

  it("only returns slugs the catalog knows", () => {
    const small = [{ slug: "rock", name: "Rock" }];
    expect(normaliseGenre("Jazz", small)).toBeNull();
    expect(normaliseGenre("Rap", small)).toBeNull();
    expect(normaliseGenre("Hard Rock", small)).toBe("rock");
    // An "r-and-b" slug is found by the R&B aliases as well.
    expect(normaliseGenre("RnB", [{ slug: "r-and-b", name: "R&B" }])).toBe("r-and-b");
  });
});
