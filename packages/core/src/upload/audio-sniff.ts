/** What the first bytes of a file say it is. */
export interface SniffedAudio {
  /** The content type to store it under. */
  contentType: string;
  /** A file extension for it, without the dot. */
  extension: string;
}

/** Bytes needed to recognise every format below. */
export const SNIFF_BYTES = 12;

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  bytes.length >= at + text.length &&
  [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

/**
 * Recognises audio containers by their magic numbers: ID3-tagged or raw MPEG audio (frame
 * sync), ADTS AAC, FLAC, Ogg, RIFF/WAVE, AIFF and ISO media (M4A: `ftyp`). Null for
 * anything else. This only keeps obvious non-audio out; the pipeline decodes the file.
 */
export function sniffAudio(head: Uint8Array): SniffedAudio | null {
  if (ascii(head, 0, "ID3")) return { contentType: "audio/mpeg", extension: "mp3" };
  if (ascii(head, 0, "fLaC")) return { contentType: "audio/flac", extension: "flac" };
  if (ascii(head, 0, "OggS")) return { contentType: "audio/ogg", extension: "ogg" };
  if (ascii(head, 0, "RIFF") && ascii(head, 8, "WAVE"))
    return { contentType: "audio/wav", extension: "wav" };
  if (ascii(head, 0, "FORM") && (ascii(head, 8, "AIFF") || ascii(head, 8, "AIFC")))
    return { contentType: "audio/aiff", extension: "aiff" };
  if (ascii(head, 4, "ftyp")) return { contentType: "audio/mp4", extension: "m4a" };
  const b0 = head[0];
  const b1 = head[1];
  const b2 = head[2];
  if (b0 === 0xff && b1 !== undefined && (b1 & 0xe0) === 0xe0) {
    const layer = (b1 >> 1) & 0x03;
    const version = (b1 >> 3) & 0x03;
    if (layer === 0) {
      // ADTS (AAC): 12 sync bits, then layer 00.
      if ((b1 & 0xf0) === 0xf0) return { contentType: "audio/aac", extension: "aac" };
      return null;
    }
    const bitrateIndex = b2 === undefined ? 0 : b2 >> 4;
    const rateIndex = b2 === undefined ? 0 : (b2 >> 2) & 0x03;
    // MPEG audio frame header: version not reserved (01), bitrate not "bad" (1111), rate not reserved (11).
    if (version !== 1 && bitrateIndex !== 0x0f && rateIndex !== 0x03)
      return { contentType: "audio/mpeg", extension: "mp3" };
  }
  return null;
}
