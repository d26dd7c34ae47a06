import { useState } from "react";
import { coverSrc } from "../api/endpoints";
import type { Track } from "../api/types";

/** A track's cover thumbnail, or a drawn placeholder when it has none (or it fails to load). */
export function Cover({
  track,
  size = 300,
  className = "",
  of,
}: {
  track: Pick<Track, "id" | "title" | "coverUrl">;
  size?: 64 | 300;
  className?: string;
  /** What the art stands for when it is not the track itself (an album, an artist). */
  of?: string;
}) {
  const name = of ?? track.title;
  const [failed, setFailed] = useState(false);
  const px = size === 64 ? 48 : 160;
  if (!track.coverUrl || failed) {
    const hue = [...track.id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
    return (
      <svg
        className={`cover cover-placeholder ${className}`}
        width={px}
        height={px}
        viewBox="0 0 10 10"
        role="img"
        aria-label={`No cover art for ${name}`}
      >
        <rect width="10" height="10" fill={`hsl(${hue} 45% 30%)`} />
        <circle cx="5" cy="5" r="3" fill={`hsl(${(hue + 40) % 360} 70% 60%)`} />
        <circle cx="5" cy="5" r="0.8" fill={`hsl(${hue} 45% 20%)`} />
      </svg>
    );
  }
  return (
    <img
      className={`cover ${className}`}
      src={coverSrc(track, size)}
      width={px}
      height={px}
      alt={`Cover art of ${name}`}
      loading="lazy"
      onError={() => setFailed(true)}
    />
  );
}
