/**
 * Maps a raw genre tag to one of the catalog's genres (by slug), or null.
 *
 * Matching is on a folded key: Unicode NFKD with diacritics removed, lower case, "&" and
 * "'n'"/" n " read as "and", everything but letters and digits dropped — so "Hip-Hop",
 * "hip hop", "HIPHOP" and "Hip Hop" all meet the slug "hip-hop", and "R&B"/"R'n'B"/"RnB"
 * meet the R&B slug (seeded as "randb"; an "r-and-b" catalog works the same). Then, in order: the known slugs and names; an alias table of common
 * spellings and sub-genres; ID3v1 numeric genres ("17", "(17)", "(17)Rock") through the
 * standard ID3v1/Winamp table; multi-genre strings split on / ; , |; finally the
 * genre's last or first word ("Deep House" → house, "Heavy Metal" → metal).
 * Only slugs present in `known` are ever returned.
 */

export interface KnownGenre {
  slug: string;
  name: string;
}

/** ID3v1 genres 0–191 (0–79 ID3v1, 80–125 Winamp, 126–191 later Winamp additions). */
// prettier-ignore
export const ID3V1_GENRES: readonly string[] = [
  "Blues", "Classic Rock", "Country", "Dance", "Disco", "Funk", "Grunge", "Hip-Hop", "Jazz", "Metal",
  "New Age", "Oldies", "Other", "Pop", "R&B", "Rap", "Reggae", "Rock", "Techno", "Industrial",
  "Alternative", "Ska", "Death Metal", "Pranks", "Soundtrack", "Euro-Techno", "Ambient", "Trip-Hop", "Vocal", "Jazz+Funk",
  "Fusion", "Trance", "Classical", "Instrumental", "Acid", "House", "Game", "Sound Clip", "Gospel", "Noise",
  "Alternative Rock", "Bass", "Soul", "Punk", "Space", "Meditative", "Instrumental Pop", "Instrumental Rock", "Ethnic", "Gothic",
  "Darkwave", "Techno-Industrial", "Electronic", "Pop-Folk", "Eurodance", "Dream", "Southern Rock", "Comedy", "Cult", "Gangsta",
  "Top 40", "Christian Rap", "Pop/Funk", "Jungle", "Native American", "Cabaret", "New Wave", "Psychedelic", "Rave", "Showtunes",
  "Trailer", "Lo-Fi", "Tribal", "Acid Punk", "Acid Jazz", "Polka", "Retro", "Musical", "Rock & Roll", "Hard Rock",
  "Folk", "Folk-Rock", "National Folk", "Swing", "Fast Fusion", "Bebop", "Latin", "Revival", "Celtic", "Bluegrass",
  "Avantgarde", "Gothic Rock", "Progressive Rock", "Psychedelic Rock", "Symphonic Rock", "Slow Rock", "Big Band", "Chorus", "Easy Listening", "Acoustic",
  "Humour", "Speech", "Chanson", "Opera", "Chamber Music", "Sonata", "Symphony", "Booty Bass", "Primus", "Porn Groove",
  "Satire", "Slow Jam", "Club", "Tango", "Samba", "Folklore", "Ballad", "Power Ballad", "Rhythmic Soul", "Freestyle",
  "Duet", "Punk Rock", "Drum Solo", "A Cappella", "Euro-House", "Dance Hall", "Goa", "Drum & Bass", "Club-House", "Hardcore Techno",
  "Terror", "Indie", "BritPop", "Negerpunk", "Polsk Punk", "Beat", "Christian Gangsta Rap", "Heavy Metal", "Black Metal", "Crossover",
  "Contemporary Christian", "Christian Rock", "Merengue", "Salsa", "Thrash Metal", "Anime", "JPop", "Synthpop", "Abstract", "Art Rock",
  "Baroque", "Bhangra", "Big Beat", "Breakbeat", "Chillout", "Downtempo", "Dub", "EBM", "Eclectic", "Electro",
  "Electroclash", "Emo", "Experimental", "Garage", "Global", "IDM", "Illbient", "Industro-Goth", "Jam Band", "Krautrock",
  "Leftfield", "Lounge", "Math Rock", "New Romantic", "Nu-Breakz", "Post-Punk", "Post-Rock", "Psytrance", "Shoegaze", "Space Rock",
  "Trop Rock", "World Music", "Neoclassical", "Audiobook", "Audio Theatre", "Neue Deutsche Welle", "Podcast", "Indie Rock", "G-Funk", "Dubstep",
  "Garage Rock", "Psybient",
];

/** Folded key → slug. Keys are already folded (see fold()). */
// prettier-ignore
const ALIASES: Record<string, string> = {
  // hip-hop
  hiphop: "hip-hop", rap: "hip-hop", hiphoprap: "hip-hop", raphiphop: "hip-hop", trap: "hip-hop",
  gangsta: "hip-hop", gangstarap: "hip-hop", christianrap: "hip-hop", gfunk: "hip-hop",
  boombap: "hip-hop", grime: "hip-hop", drill: "hip-hop", urban: "hip-hop",
  // electronic
  electronica: "electronic", edm: "electronic", electro: "electronic", electronicdance: "electronic",
  electronicdancemusic: "electronic", dance: "electronic", danceelectronic: "electronic", electronicdance2: "electronic",
  idm: "electronic", trance: "electronic", psytrance: "electronic", goa: "electronic", breakbeat: "electronic",
  bigbeat: "electronic", rave: "electronic", eurodance: "electronic", synthwave: "electronic", electroclash: "electronic",
  ebm: "electronic", downtempo: "electronic", triphop: "electronic", electronique: "electronic",
  elektronisch: "electronic", elektronik: "electronic", electronico: "electronic", musiqueelectronique: "electronic", chillout: "electronic", hardstyle: "electronic", dub: "reggae",
  // house / techno / dnb / dubstep
  eurohouse: "house", clubhouse: "house", deephouse: "house", techhouse: "house", club: "house", garage: "house", ukgarage: "house",
  eurotechno: "techno", hardcoretechno: "techno", technoindustrial: "techno", minimal: "techno", minimaltechno: "techno",
  drumandbass: "drum-and-bass", drumnbass: "drum-and-bass", dnb: "drum-and-bass", dandb: "drum-and-bass",
  jungle: "drum-and-bass", liquidfunk: "drum-and-bass", brostep: "dubstep",
  // rock family
  rockandroll: "rock", rocknroll: "rock", rockroll: "rock", classicrock: "rock", hardrock: "rock", softrock: "rock",
  southernrock: "rock", progressiverock: "rock", progrock: "rock", psychedelicrock: "rock", symphonicrock: "rock",
  slowrock: "rock", artrock: "rock", gothicrock: "rock", spacerock: "rock", garagerock: "rock", grunge: "rock",
  krautrock: "rock", rockabilly: "rock",
  alternativerock: "alternative", altrock: "alternative", alt: "alternative", alternativeindie: "alternative",
  indierock: "indie", indiepop: "indie", britpop: "indie", shoegaze: "indie", postrock: "indie", mathrock: "indie",
  indiefolk: "indie", indiealternative: "indie",
  heavymetal: "metal", deathmetal: "metal", blackmetal: "metal", thrashmetal: "metal", numetal: "metal",
  metalcore: "metal", doommetal: "metal", powermetal: "metal", hardcore: "punk",
  punkrock: "punk", acidpunk: "punk", postpunk: "punk", poppunk: "punk", emo: "punk", skapunk: "punk",
  // pop
  synthpop: "pop", electropop: "pop", jpop: "pop", kpop: "pop", top40: "pop", europop: "pop", dancepop: "pop",
  instrumentalpop: "pop", popfolk: "folk", teenpop: "pop", popfunk: "funk",
  // r&b / soul / funk / disco
  randb: "r-and-b", rnb: "r-and-b", rb: "r-and-b", rhythmandblues: "r-and-b", rhythmblues: "r-and-b",
  contemporaryrandb: "r-and-b", slowjam: "r-and-b", neosoul: "soul", rhythmicsoul: "soul", motown: "soul",
  jazzfunk: "funk", jazzandfunk: "funk", pfunk: "funk", nudisco: "disco", italodisco: "disco",
  // jazz / blues / classical
  acidjazz: "jazz", bebop: "jazz", swing: "jazz", bigband: "jazz", smoothjazz: "jazz", fusion: "jazz", fastfusion: "jazz",
  deltablues: "blues", chicagoblues: "blues", bluesrock: "blues",
  classic: "classical", klassik: "classical", classique: "classical", musiqueclassique: "classical",
  clasica: "classical", classica: "classical", classicalmusic: "classical", orchestral: "classical", opera: "classical", baroque: "classical",
  chambermusic: "classical", symphony: "classical", sonata: "classical", neoclassical: "classical", romantic: "classical",
  // folk / country / world / latin / reggae
  folkrock: "folk", nationalfolk: "folk", folklore: "folk", celtic: "folk", singersongwriter: "folk", acoustic: "folk",
  bluegrass: "country", countryandwestern: "country", americana: "country", altcountry: "country",
  worldmusic: "world", ethnic: "world", global: "world", tribal: "world", afrobeat: "world", afrobeats: "world",
  bhangra: "world", nativeamerican: "world", polka: "folk", chanson: "world", flamenco: "latin",
  salsa: "latin", samba: "latin", tango: "latin", merengue: "latin", reggaeton: "latin", bossanova: "latin",
  cumbia: "latin", bachata: "latin", latinpop: "latin", musicalatina: "latin",
  ska: "reggae", rocksteady: "reggae", dancehall: "reggae", roots: "reggae", rootsreggae: "reggae", dubreggae: "reggae",
  // others
  ost: "soundtrack", score: "soundtrack", filmscore: "soundtrack", originalscore: "soundtrack", moviesoundtrack: "soundtrack",
  originalsoundtrack: "soundtrack", game: "soundtrack", videogame: "soundtrack", videogamemusic: "soundtrack",
  showtunes: "soundtrack", musical: "soundtrack", anime: "soundtrack", trailer: "soundtrack",
  lofi: "lo-fi", lofihiphop: "lo-fi", chillhop: "lo-fi", lofibeats: "lo-fi",
  newage: "ambient", meditative: "ambient", ambientelectronic: "ambient", darkambient: "ambient", drone: "ambient",
  psybient: "ambient", illbient: "ambient", space: "ambient",
  gospelmusic: "gospel", contemporarychristian: "gospel", christian: "gospel", christianrock: "gospel", worship: "gospel",
  spiritual: "gospel", spirituals: "gospel",
  avantgarde: "experimental", noise: "experimental", abstract: "experimental", industrial: "experimental",
  spokenword: "spoken-word", speech: "spoken-word", audiobook: "spoken-word", audiotheatre: "spoken-word",
  podcast: "spoken-word", comedy: "spoken-word", poetry: "spoken-word", humour: "spoken-word", humor: "spoken-word",
};

/** Tags that say nothing about the genre. */
const MEANINGLESS = new Set([
  "",
  "other",
  "unknown",
  "misc",
  "miscellaneous",
  "none",
  "genre",
  "default",
  "various",
  "na",
]);

/** The matching key: no diacritics, lower case, "and" spelled out, letters and digits only. */
export function fold(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/['’`]\s*n\s*['’`]?(?=\s|$|[^a-z])/g, " and ")
    .replace(/\s+n\s+/g, " and ")
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

/** Resolves "17", "(17)", "(17)Rock", "(17)(18)" to ID3v1 genre names. */
function id3v1Names(raw: string): string[] | null {
  const trimmed = raw.trim();
  if (/^\d{1,3}$/.test(trimmed)) {
    const name = ID3V1_GENRES[Number(trimmed)];
    return name ? [name] : null;
  }
  const refs = /^((?:\(\d{1,3}\))+)(.*)$/.exec(trimmed);
  if (!refs) return null;
  const names: string[] = [];
  const text = refs[2]?.trim();
  if (text) names.push(text);
  for (const m of (refs[1] ?? "").matchAll(/\((\d{1,3})\)/g)) {
    const name = ID3V1_GENRES[Number(m[1])];
    if (name) names.push(name);
  }
  return names;
}

export function normaliseGenre(raw: string, known: readonly KnownGenre[]): string | null {
  const byKey = new Map<string, string>();
  for (const g of known) {
    byKey.set(fold(g.slug), g.slug);
    byKey.set(fold(g.name), g.slug);
  }
  const slugs = new Set(known.map((g) => g.slug));

  const direct = (text: string): string | null => {
    const key = fold(text);
    if (MEANINGLESS.has(key)) return null;
    const hit = byKey.get(key);
    if (hit) return hit;
    const alias = ALIASES[key];
    // Alias targets are matched by folded key too, so "r-and-b" finds a catalog slug "randb".
    return alias ? (slugs.has(alias) ? alias : (byKey.get(fold(alias)) ?? null)) : null;
  };

  const byWords = (text: string): string | null => {
    const words = text
      .normalize("NFKD")
      .split(/[^\p{L}\p{N}&']+/u)
      .filter((w) => w.length > 0);
    if (words.length < 2) return null;
    // The last word usually names the family ("Deep House", "Heavy Metal"), else the first.
    return direct(words[words.length - 1] ?? "") ?? direct(words[0] ?? "");
  };

  const resolve = (text: string, depth: number): string | null => {
    if (depth > 3) return null;
    const numeric = id3v1Names(text);
    if (numeric) {
      for (const name of numeric) {
        const hit = resolve(name, depth + 1);
        if (hit) return hit;
      }
      return null;
    }
    const hit = direct(text);
    if (hit) return hit;
    const parts = text.split(/\s*[/;,|]\s*/).filter((p) => p.length > 0);
    if (parts.length > 1) {
      for (const part of parts) {
        const h = direct(part);
        if (h) return h;
      }
      for (const part of parts) {
        const h = byWords(part);
        if (h) return h;
      }
      return null;
    }
    return byWords(text);
  };

  return resolve(raw, 0);
}
