/** Tag extraction from a music-metadata result, with the file-name fallback for titles. */
import type { IAudioMetadata, ILyricsTag, IPicture } from "music-metadata";
import type { CoverArt, TrackLyrics, TrackTags } from "./types";

export const TITLE_FROM_FILE_NAME_WARNING = "no title tag: title taken from the file name";

/** Trims, strips control characters; empty → null. */
export function cleanText(value: string | null | undefined): string | null {
  if (typeof value !== "string") return null;
  let text = "";
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    text += code < 0x20 || code === 0x7f ? " " : ch;
  }
  const cleaned = text.replace(/\s+/g, " ").trim();
  return cleaned.length > 0 ? cleaned : null;
}

/**
 * A title from a file name: directories and extension dropped, a leading track number
 * ("01 - ", "1. ", "03_", "A2 ") removed, underscores turned into spaces.
 * "03 - Night_Drive.mp3" → "Night Drive".
 */
export function titleFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  let name = base.replace(/\.[A-Za-z0-9]{1,5}$/, "");
  try {
    if (/%[0-9A-Fa-f]{2}/.test(name)) name = decodeURIComponent(name);
  } catch {
    // not URI-encoded after all
  }
  const spaced = name.replace(/_+/g, " ").replace(/\s+/g, " ").trim();
  const withoutNumber = spaced
    .replace(/^(?:\d{1,2}[-.]\d{1,3}|\d{1,3}|[A-Da-d]\d{1,2})(?:\s*[-.)–—:]\s*|\s+)(?=\S)/, "")
    .trim();
  return withoutNumber || spaced || base;
}

/** A plausible year from a date-ish tag value ("2019-05-04", "2019", "05/04/2019"). */
export function yearFrom(value: string | number | null | undefined): number | null {
  if (typeof value === "number") return value >= 1000 && value <= 2100 ? Math.trunc(value) : null;
  if (typeof value !== "string") return null;
  const match = /(?:^|\D)(1\d{3}|20\d{2}|2100)(?!\d)/.exec(value);
  return match?.[1] ? Number(match[1]) : null;
}

function positive(n: number | null | undefined): number | null {
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : null;
}

export interface ReadTags {
  tags: TrackTags;
  warnings: string[];
}

export function readTags(meta: IAudioMetadata, fileName: string): ReadTags {
  const common = meta.common;
  const warnings: string[] = [];
  let title = cleanText(common.title);
  if (title === null) {
    title = titleFromFileName(fileName);
    warnings.push(TITLE_FROM_FILE_NAME_WARNING);
  }
  const artist = cleanText(common.artist) ?? cleanText(common.artists?.join(", "));
  const genres: string[] = [];
  for (const raw of common.genre ?? []) {
    const g = cleanText(raw);
    if (g !== null && !genres.includes(g)) genres.push(g);
  }
  const year =
    yearFrom(common.year) ??
    yearFrom(common.date) ??
    yearFrom(common.originaldate) ??
    yearFrom(common.originalyear) ??
    yearFrom(common.releasedate);
  return {
    tags: {
      title,
      artist,
      albumArtist: cleanText(common.albumartist),
      ...(common.compilation === true ? { compilation: true } : {}),
      album: cleanText(common.album),
      genres,
      year,
      trackNumber: positive(common.track.no),
      discNumber: positive(common.disk.no),
      lyrics: readLyrics(common.lyrics),
    },
    warnings,
  };
}

/** music-metadata's TimestampFormat.milliseconds (SYLT may also count MPEG frames). */
const MILLISECONDS = 2;
const MAX_LYRICS_TAGS = 8;
const MAX_LYRICS_CHARS = 64_000;

/** A lyrics line: control characters out, spaces folded, but empty lines kept (stanza breaks). */
function lyricsLine(value: string): string {
  return (cleanText(value) ?? "").slice(0, 2000);
}

/**
 * Lyrics tags as kept on the track: synchronised ones (SYLT in milliseconds, LRC text) with a
 * start per line, the rest as plain lines. Duplicates (the same text in two tags) are kept
 * once; at most 8 tags and 64 000 characters.
 */
export function readLyrics(tags: readonly ILyricsTag[] | undefined): TrackLyrics[] {
  const out: TrackLyrics[] = [];
  const seen = new Set<string>();
  let chars = 0;
  for (const tag of tags ?? []) {
    if (out.length >= MAX_LYRICS_TAGS) break;
    // USLT comes without syncText at all, whatever the types say.
    const syncText = tag.syncText ?? [];
    const synced =
      tag.timeStampFormat === MILLISECONDS &&
      syncText.length > 0 &&
      syncText.every((l) => typeof l.timestamp === "number" && l.timestamp >= 0);
    let lines: TrackLyrics["lines"];
    if (synced) {
      lines = syncText
        .map((l) => ({ start: Math.round(l.timestamp!), value: lyricsLine(l.text) }))
        .sort((a, b) => a.start - b.start);
    } else {
      const text = tag.text ?? syncText.map((l) => l.text).join("\n");
      lines = text.split(/\r\n|\r|\n/).map((v) => ({ value: lyricsLine(v) }));
      while (lines.length > 0 && lines[0]!.value === "") lines.shift();
      while (lines.length > 0 && lines[lines.length - 1]!.value === "") lines.pop();
    }
    if (!lines.some((l) => l.value !== "")) continue;
    const key = `${synced}\u0000${lines.map((l) => `${l.start ?? ""}|${l.value}`).join("\n")}`;
    if (seen.has(key)) continue;
    const size = lines.reduce((n, l) => n + l.value.length + 1, 0);
    if (chars + size > MAX_LYRICS_CHARS) break;
    seen.add(key);
    chars += size;
    const lang = /^[a-z]{2,3}$/i.test(tag.language ?? "") ? tag.language!.toLowerCase() : "xxx";
    const description = cleanText(tag.descriptor);
    out.push({ lang, synced, ...(description ? { description } : {}), lines });
  }
  return out;
}

/** The image type from its first bytes, or null when it is no image format we know. */
export function sniffImageMime(data: Uint8Array): string | null {
  const b = (i: number) => data[i] ?? -1;
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return "image/jpeg";
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return "image/png";
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46) return "image/gif";
  if (
    b(0) === 0x52 &&
    b(1) === 0x49 &&
    b(2) === 0x46 &&
    b(3) === 0x46 &&
    b(8) === 0x57 &&
    b(9) === 0x45 &&
    b(10) === 0x42 &&
    b(11) === 0x50
  )
    return "image/webp";
  if (b(0) === 0x42 && b(1) === 0x4d) return "image/bmp";
  return null;
}

function mimeFromTag(format: string): string {
  const f = format.trim().toLowerCase();
  const sub = f.includes("/") ? f.slice(f.indexOf("/") + 1) : f;
  if (sub === "jpg" || sub === "jpeg" || sub === "pjpeg") return "image/jpeg";
  return sub ? `image/${sub}` : "application/octet-stream";
}

/** The front cover when the tags say which one it is, else the first picture. */
export function pickCover(pictures: readonly IPicture[] | undefined): CoverArt | null {
  if (!pictures || pictures.length === 0) return null;
  const front = pictures.find((p) => p.type?.toLowerCase().includes("front")) ?? pictures[0];
  if (!front || front.data.length === 0) return null;
  const data = front.data.slice(); // detach from the (large) file buffer
  return { mime: sniffImageMime(data) ?? mimeFromTag(front.format), data };
}
