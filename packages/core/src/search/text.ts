/**
 * Text rules shared by both search adapters and by highlighting: folding (case, diacritics,
 * ё→е), tokenising, and the typo budget.
 */

const KEEP_SHORT_I = "\uE000"; // й is its own letter in Russian: protect it from NFKD.
const SPECIAL: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
  ħ: "h",
  ŧ: "t",
};
const SPECIAL_RE = new RegExp(`[${Object.keys(SPECIAL).join("")}]`, "gu");
const ASCII = /^[\x00-\x7f]*$/;

/** Lower case without diacritics: "Çok" → "cok", "Ёлка" → "елка", "Straße" → "strasse". */
export function foldText(text: string): string {
  const lower = text.toLowerCase();
  if (ASCII.test(lower)) return lower;
  return lower
    .replace(/й/gu, KEEP_SHORT_I)
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(SPECIAL_RE, (ch) => SPECIAL[ch] ?? ch)
    .replace(/\uE000/gu, "й");
}

const WORD = /[\p{L}\p{N}]+/gu;
/** Longest term kept; longer words are cut (nobody types 64 letters to find one). */
export const MAX_TERM_LENGTH = 64;

/** The folded words of a text, in order. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of foldText(text).matchAll(WORD)) out.push(cut(m[0]));
  return out;
}

const cut = (word: string) => {
  const chars = Array.from(word);
  return chars.length > MAX_TERM_LENGTH ? chars.slice(0, MAX_TERM_LENGTH).join("") : word;
};

export const codePoints = (word: string) => Array.from(word).length;

/** Edits forgiven in a query word: none below 4 characters, one from 4, two from 8 ("AUTO:4,8"). */
export function typoBudget(word: string): number {
  const n = codePoints(word);
  return n >= 8 ? 2 : n >= 4 ? 1 : 0;
}

/** The word with each pair of neighbouring letters swapped (a swap counts as one edit). */
export function transpositions(word: string): string[] {
  const chars = Array.from(word);
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) {
    if (chars[i] === chars[i + 1]) continue;
    const c = [...chars];
    [c[i], c[i + 1]] = [c[i + 1]!, c[i]!];
    out.add(c.join(""));
  }
  out.delete(word);
  return [...out];
}

/**
 * Edit distance with adjacent transpositions counting as one edit (optimal string alignment),
 * the distance OpenSearch's fuzzy queries use.
 */
export function editDistance(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  const rows: number[][] = [];
  for (let i = 0; i <= s.length; i++) {
    rows.push(new Array<number>(t.length + 1).fill(0));
    rows[i]![0] = i;
  }
  for (let j = 0; j <= t.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[s.length]![t.length]!;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );
}

/**
 * Escapes the text and wraps each word for which `matches(foldedWord)` holds in `<mark>`.
 * Words are found in the original text, so the highlight keeps its case and accents.
 */
export function highlightWords(text: string, matches: (folded: string) => boolean): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    out += escapeHtml(text.slice(last, start));
    const word = m[0];
    const folded = tokenize(word);
    out +=
      folded.length > 0 && folded.some(matches)
        ? `<mark>${escapeHtml(word)}</mark>`
        : escapeHtml(word);
    last = start + word.length;
  }
  return out + escapeHtml(text.slice(last));
}

/**
 * Whether a folded document word answers a folded query word: equal, within the typo budget
 * (transpositions included), or, when `prefix` is set, starting with the query word or
 * with something within the budget of it.
 */
export function wordMatches(docWord: string, queryWord: string, prefix: boolean): boolean {
  if (docWord === queryWord) return true;
  if (prefix && docWord.startsWith(queryWord)) return true;
  const k = typoBudget(queryWord);
  if (k === 0) return false;
  const n = codePoints(queryWord);
  if (Math.abs(codePoints(docWord) - n) <= k && editDistance(docWord, queryWord) <= k) return true;
  if (prefix && codePoints(docWord) > n) {
    const head = Array.from(docWord).slice(0, n).join("");
    return editDistance(head, queryWord) <= k;
  }
  return false;
}
