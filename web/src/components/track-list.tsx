import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { addToPlaylist, myPlaylists } from "../api/endpoints";
import { messageOf } from "../api/problem";
import type { Playlist, Track } from "../api/types";
import { useAuth } from "../auth/auth";
import { formatDuration } from "../format";
import { LikeButton } from "../library/controls";
import { usePlayer } from "../player/player";
import { Cover } from "./cover";
import { Icon } from "./icons";

/** Tracks with play / queue / add-to-playlist actions. `highlight` maps a track id to HTML-free marked title parts. */
export function TrackList({
  tracks,
  label,
  showCover = true,
  showAlbum = true,
}: {
  tracks: Track[];
  label: string;
  showCover?: boolean;
  showAlbum?: boolean;
}) {
  const player = usePlayer();
  return (
    <ol className="track-list" aria-label={label}>
      {tracks.map((t, i) => {
        const isCurrent = player.current?.id === t.id;
        return (
          <li key={t.id} className={isCurrent ? "track current" : "track"}>
            <button
              type="button"
              className="icon-button play"
              disabled={!t.hasAudio}
              aria-label={
                t.hasAudio
                  ? isCurrent && player.playing
                    ? `Pause ${t.title}`
                    : `Play ${t.title}`
                  : `${t.title} has no audio yet`
              }
              onClick={() => (isCurrent ? player.toggle() : player.playTracks(tracks, i))}
            >
              <Icon name={isCurrent && player.playing ? "pause" : "play"} size={18} />
            </button>
            {showCover && <Cover track={t} size={64} className="thumb" />}
            <div className="track-main">
              <Link to={`/tracks/${t.id}`} className="track-title">
                {t.title}
              </Link>
              <span className="track-sub">
                <Link to={`/artists/${t.artist.id}`}>{t.artist.name}</Link>
                {showAlbum && t.album && (
                  <>
                    {" · "}
                    <Link to={`/albums/${t.album.id}`}>{t.album.title}</Link>
                  </>
                )}
              </span>
            </div>
            {t.genre && (
              <span className="track-tags">
                <span className="tag">{t.genre.name}</span>
              </span>
            )}
            <LikeButton track={t} />
            <span className="track-duration">{formatDuration(t.durationMs)}</span>
            <TrackMenu track={t} />
          </li>
        );
      })}
    </ol>
  );
}

export function TrackMenu({ track }: { track: Track }) {
  const player = usePlayer();
  const { user } = useAuth();
  const [playlists, setPlaylists] = useState<Playlist[] | null>(null);
  const [status, setStatus] = useState("");
  const [open, setOpen] = useState(false);
  // Loaded when first opened — or as soon as a sign-in restored after page load arrives.
  useEffect(() => {
    if (!open || !user || playlists !== null) return;
    let live = true;
    myPlaylists().then(
      (p) => live && setPlaylists(p.items),
      (err: unknown) => live && setStatus(messageOf(err)),
    );
    return () => {
      live = false;
    };
  }, [open, user, playlists]);
  return (
    <details className="menu" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary aria-label={`More actions for ${track.title}`}>⋯</summary>
      <div className="menu-body">
        <button type="button" disabled={!track.hasAudio} onClick={() => player.enqueue(track)}>
          Add to queue
        </button>
        <Link to={`/radio/${track.id}`} className="menu-link">
          More like this
        </Link>
        {user ? (
          <>
            <p className="menu-heading">Add to playlist</p>
            {playlists === null && !status && <p className="muted">Loading playlists…</p>}
            {playlists?.length === 0 && (
              <p className="muted">
                No playlists yet. <Link to="/playlists">Create one</Link>.
              </p>
            )}
            {playlists?.map((p) => (
              <button
                type="button"
                key={p.id}
                onClick={() =>
                  void addToPlaylist(p.id, track.id).then(
                    () => setStatus(`Added to “${p.title}”.`),
                    (err: unknown) => setStatus(messageOf(err)),
                  )
                }
              >
                {p.title}
              </button>
            ))}
          </>
        ) : (
          <p className="muted">
            <Link to="/login">Sign in</Link> to make playlists.
          </p>
        )}
        <p role="status" className="menu-status">
          {status}
        </p>
      </div>
    </details>
  );
}
