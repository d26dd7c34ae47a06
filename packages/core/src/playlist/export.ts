import type { Actor, Ctx } from "../context";
import type { TrackView } from "../track/views";
import { getPlaylist } from "./index";

export const EXPORT_FORMATS = ["m3u8", "xspf", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** How long the download link of an export stays valid. */
export const EXPORT_URL_TTL_SECONDS = 60 * 60;

const CONTENT_TYPES: Record<ExportFormat, string> = {
  m3u8: "audio/x-mpegurl",
  xspf: "application/xspf+xml",
  json: "application/json",
};

export interface PlaylistExport {
  format: ExportFormat;
  key: string;
  url: string;
  expiresAt: string;
  trackCount: number;
}

const xml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`,
  );

/** One playlist in one of the formats; `location` gives each track's playable URL. */
export function renderPlaylist(
  format: ExportFormat,
  playlist: { id: string; title: string; description: string | null; owner: { username: string } },
  entries: TrackView[],
  location: (track: TrackView) => string,
): string {
  if (format === "m3u8") {
    const lines = ["#EXTM3U", `#PLAYLIST:${playlist.title.replace(/[\r\n]+/g, " ")}`];
    for (const t of entries) {
      const seconds = t.durationMs > 0 ? Math.round(t.durationMs / 1000) : -1;
      const label = `${t.artist.name} - ${t.title}`.replace(/[\r\n]+/g, " ");
      lines.push(`#EXTINF:${seconds},${label}`, location(t));
    }
    return lines.join("\n") + "\n";
  }
  if (format === "xspf") {
    const tracks = entries
      .map(
        (t) =>
          `    <track>\n      <location>${xml(location(t))}</location>\n      <identifier>urn:jonquils:track:${t.id}</identifier>\n      <title>${xml(t.title)}</title>\n      <creator>${xml(t.artist.name)}</creator>\n${t.album ? `      <album>${xml(t.album.title)}</album>\n` : ""}${t.durationMs > 0 ? `      <duration>${t.durationMs}</duration>\n` : ""}    </track>`,
      )
      .join("\n");
    return `<?xml version="1.0" encoding="UTF-8"?>\n<playlist version="1" xmlns="http://xspf.org/ns/0/">\n  <title>${xml(playlist.title)}</title>\n  <creator>${xml(playlist.owner.username)}</creator>\n${playlist.description ? `  <annotation>${xml(playlist.description)}</annotation>\n` : ""}  <trackList>\n${tracks}\n  </trackList>\n</playlist>\n`;
  }
  return (
    JSON.stringify(
      {
        id: playlist.id,
        title: playlist.title,
        description: playlist.description,
        owner: playlist.owner.username,
        exportedAt: new Date().toISOString(),
        tracks: entries.map((t) => ({
          id: t.id,
          title: t.title,
          artist: t.artist.name,
          album: t.album?.title ?? null,
          durationMs: t.durationMs,
          location: location(t),
        })),
      },
      null,
      2,
    ) + "\n"
  );
}

/**
 * Writes the playlist (one the actor may read) to the playlists bucket and answers a signed
 * download link. Track locations point at `apiBaseUrl`'s stream redirect.
 */
export async function exportPlaylist(
  ctx: Ctx,
  actor: Actor,
  id: string,
  format: ExportFormat,
  apiBaseUrl: string,
): Promise<PlaylistExport> {
  const playlist = await getPlaylist(ctx, actor, id);
  const base = apiBaseUrl.replace(/\/+$/, "");
  const body = renderPlaylist(
    format,
    playlist,
    playlist.tracks.map((e) => e.track),
    (t) => `${base}/api/v1/tracks/${t.id}/stream?redirect=1`,
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const key = `exports/${actor.userId}/${playlist.id}/${stamp}.${format}`;
  await ctx.objects.put("playlists", key, Buffer.from(body, "utf8"), CONTENT_TYPES[format]);
  const safeTitle = playlist.title.replace(/[^\p{L}\p{N} ._-]+/gu, "_").slice(0, 80) || "playlist";
  const url = await ctx.objects.presignDownload("playlists", key, {
    expiresInSeconds: EXPORT_URL_TTL_SECONDS,
    contentType: CONTENT_TYPES[format],
    filename: `${safeTitle}.${format}`,
  });
  return {
    format,
    key,
    url,
    expiresAt: new Date(Date.now() + EXPORT_URL_TTL_SECONDS * 1000).toISOString(),
    trackCount: playlist.tracks.length,
  };
}
