/** Which containers/codecs we ingest, and which audio-decode decoder reads them. */
import type { IAudioMetadata } from "music-metadata";
import type { DecoderName } from "./decode";

export const SUPPORTED_FORMATS_TEXT = "MP3, AAC/M4A, ALAC, FLAC, Ogg Vorbis, Opus, WAV and AIFF";

export interface AudioKind {
  /** Normalised container name for AudioFormat.container. */
  container: string;
  /** null = recognised but not supported. */
  decoder: DecoderName | null;
  /** Human name of what was found, for messages ("Windows Media Audio (ASF)"). */
  description: string;
}

function isMp4(bytes: Uint8Array): boolean {
  return bytes[4] === 0x66 && bytes[5] === 0x74 && bytes[6] === 0x79 && bytes[7] === 0x70; // "ftyp"
}

/** Classifies what music-metadata found. */
export function classify(meta: IAudioMetadata, bytes: Uint8Array): AudioKind {
  const container = meta.format.container ?? "";
  const codec = meta.format.codec ?? "";
  const described = codec
    ? `${codec} in ${container || "an unknown container"}`
    : container || "unknown";

  if (container === "MPEG" && /layer\s*[123]/i.test(codec)) {
    return { container: "MPEG", decoder: "mp3", description: codec };
  }
  if (container.startsWith("ADTS"))
    return { container: "ADTS", decoder: "aac", description: "AAC (ADTS)" };
  if (isMp4(bytes) || /^(m4a|m4b|mp4|isom|iso\d|mp41|mp42|3gp)/i.test(container)) {
    const ok = /aac|alac|mp4a/i.test(codec);
    return {
      container: "MPEG-4",
      decoder: ok ? "m4a" : null,
      description: codec ? `${codec} in MPEG-4` : "MPEG-4 without an audio codec we read",
    };
  }
  if (container === "FLAC") return { container: "FLAC", decoder: "flac", description: "FLAC" };
  if (container === "Ogg") {
    if (/vorbis/i.test(codec))
      return { container: "Ogg", decoder: "oga", description: "Ogg Vorbis" };
    if (/opus/i.test(codec)) return { container: "Ogg", decoder: "opus", description: "Opus" };
    return { container: "Ogg", decoder: null, description: codec ? `${codec} in Ogg` : "Ogg" };
  }
  if (container === "WAVE")
    return { container: "WAVE", decoder: "wav", description: codec ? `WAV (${codec})` : "WAV" };
  if (container.startsWith("AIFF"))
    return { container: "AIFF", decoder: "aiff", description: container };
  if (container.startsWith("ASF")) {
    return {
      container: "ASF",
      decoder: null,
      description: codec ? `${codec} (ASF)` : "Windows Media (ASF)",
    };
  }
  return { container: container || "unknown", decoder: null, description: described };
}
