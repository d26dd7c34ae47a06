import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import {
  createPlaylist,
  deletePlaylist,
  exportPlaylist,
  mySmartPlaylists,
  getPlaylist,
  myPlaylists,
  removeFromPlaylist,
  reorderPlaylist,
  updatePlaylist,
} from "../api/endpoints";
import { messageOf } from "../api/problem";
import type { ExportFormat, PlaylistDetail, PlaylistExport, Track } from "../api/types";
import { useAuth } from "../auth/auth";
import { Cover } from "../components/cover";
import { Icon } from "../components/icons";
import { field } from "../components/form";
import { Empty, ErrorMessage, Loading } from "../components/states";
import { pick, useAsync } from "../components/use-async";
import { useTitle } from "../components/use-title";
import { formatDuration, plural } from "../format";
import { usePlayer } from "../player/player";

export function PlaylistsPage() {
  useTitle("Playlists");
  const list = useAsync(() => myPlaylists(), []);
  const smart = useAsync(() => mySmartPlaylists(), []);
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    createPlaylist({ title: field(form, "title"), isPublic: form.get("isPublic") === "on" }).then(
      (p) => navigate(`/playlists/${p.id}`),
      setError,
    );
  };
  return (
    <div>
      <h1>Your playlists</h1>
      <ul className="cards">
        <li className="card card-liked">
          <Link to="/liked">
            <strong>Liked songs</strong>
          </Link>
          <span className="muted">Every track you gave a heart</span>
        </li>
      </ul>
      <form onSubmit={create} className="form inline-form" aria-label="New playlist">
        <label>
          Name
          <input name="title" required maxLength={200} placeholder="Road trip" />
        </label>
        <label className="checkbox">
          <input name="isPublic" type="checkbox" /> Public
        </label>
        <button type="submit">Create playlist</button>
        {error !== null && (
          <p className="form-error" role="alert">
            {messageOf(error)}
          </p>
        )}
      </form>
      {pick(list) === "loading" && <Loading />}
      {pick(list) === "error" && <ErrorMessage error={list.error} retry={list.reload} />}
      {pick(list) === "ready" &&
        (list.data!.items.length === 0 ? (
          <Empty>
            No playlists yet. Create one above, then add tracks from any track’s “⋯” menu.
          </Empty>
        ) : (
          <ul className="cards">
            {list.data!.items.map((p) => (
              <li key={p.id} className="card">
                <Link to={`/playlists/${p.id}`}>
                  <strong>{p.title}</strong>
                </Link>
                <span className="muted">
                  {plural(p.trackCount, "track")} · {formatDuration(p.durationMs)} ·{" "}
                  {p.isPublic ? "public" : "private"}
                </span>
              </li>
            ))}
          </ul>
        ))}
      <section aria-labelledby="smart-heading">
        <h2 id="smart-heading">Smart playlists</h2>
        <p className="muted">
          Rules over genre, tempo, energy, mood, loudness, year, plays, likes and ratings: they fill
          themselves and stay current. <Link to="/smart/new">New smart playlist</Link>
        </p>
        {pick(smart) === "error" && <ErrorMessage error={smart.error} retry={smart.reload} />}
        {pick(smart) === "ready" && smart.data!.items.length > 0 && (
          <ul className="cards" aria-label="Smart playlists">
            {smart.data!.items.map((p) => (
              <li key={p.id} className="card">
                <Link to={`/smart/${p.id}`}>
                  <strong>{p.title}</strong>
                </Link>
                <span className="muted">
                  smart · up to {p.limit} tracks · {p.isPublic ? "public" : "private"}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

const EXPORT_FORMATS: { format: ExportFormat; label: string }[] = [
  { format: "m3u8", label: "M3U8 (most players)" },
  { format: "xspf", label: "XSPF" },
  { format: "json", label: "JSON" },
];

/** Export to the playlists bucket; the signed link downloads the file (valid about an hour). */
export function ExportPlaylist({ playlistId }: { playlistId: string }) {
  const [format, setFormat] = useState<ExportFormat>("m3u8");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PlaylistExport | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      className="form inline-form export"
      aria-label="Export playlist"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        setResult(null);
        exportPlaylist(playlistId, format)
          .then(setResult, setError)
          .finally(() => setBusy(false));
      }}
    >
      <label>
        Export as
        <select value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
          {EXPORT_FORMATS.map((f) => (
            <option key={f.format} value={f.format}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy}>
        {busy ? "Exporting…" : "Export"}
      </button>
      <p role="status" className="export-result">
        {result && (
          <>
            <a href={result.url} download>
              Download {result.format.toUpperCase()} ({plural(result.trackCount, "track")})
            </a>{" "}
            <span className="muted">
              link valid until {new Date(result.expiresAt).toLocaleTimeString()}
            </span>
          </>
        )}
      </p>
      {error !== null && <ErrorMessage error={error} />}
    </form>
  );
}

/** Moves one item of a list from `from` to `to`. */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list];
  const [item] = next.splice(from, 1);
  if (item !== undefined) next.splice(to, 0, item);
  return next;
}

export function PlaylistPage() {
  const { id = "" } = useParams();
  const { user } = useAuth();
  const state = useAsync(() => getPlaylist(id), [id, user?.id]);
  const [playlist, setPlaylist] = useState<PlaylistDetail | null>(null);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  const [copied, setCopied] = useState(false);
  const player = usePlayer();
  const navigate = useNavigate();
  useEffect(() => setPlaylist(state.data ?? null), [state.data]);
  useTitle(playlist?.title);

  if (pick(state) === "loading") return <Loading />;
  if (pick(state) === "error") return <ErrorMessage error={state.error} retry={state.reload} />;
  if (!playlist) return null;
  const mine = user?.id === playlist.owner.id;
  const tracks: Track[] = playlist.tracks.map((t) => t.track);
  const shareUrl = `${window.location.origin}/playlists/${playlist.id}`;

  const saveOrder = (from: number, to: number) => {
    if (from === to || to < 0 || to >= playlist.tracks.length) return;
    const before = playlist;
    const reordered = move(playlist.tracks, from, to).map((t, i) => ({ ...t, position: i }));
    setPlaylist({ ...playlist, tracks: reordered });
    const moved = reordered[to]!.track.title;
    reorderPlaylist(
      playlist.id,
      reordered.map((t) => t.track.id),
    ).then(
      () => setStatus(`Moved “${moved}” to position ${to + 1}.`),
      (err: unknown) => {
        setPlaylist(before);
        setError(err);
      },
    );
  };

  const change = (patch: { title?: string; isPublic?: boolean }) =>
    updatePlaylist(playlist.id, patch).then((p) => {
      setPlaylist({ ...playlist, ...p, tracks: playlist.tracks });
      setStatus("Saved.");
    }, setError);

  return (
    <article>
      <p className="eyebrow">{playlist.isPublic ? "Public playlist" : "Private playlist"}</p>
      {mine ? (
        <form
          className="form inline-form"
          aria-label="Rename playlist"
          onSubmit={(e) => {
            e.preventDefault();
            const title = field(new FormData(e.currentTarget), "title").trim();
            if (title) void change({ title });
          }}
        >
          <label>
            <span className="visually-hidden">Playlist name</span>
            <input
              name="title"
              className="title-input"
              defaultValue={playlist.title}
              key={playlist.title}
              maxLength={200}
              required
            />
          </label>
          <button type="submit">Rename</button>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={playlist.isPublic}
              onChange={(e) => void change({ isPublic: e.target.checked })}
            />
            Public
          </label>
        </form>
      ) : (
        <h1>{playlist.title}</h1>
      )}
      {mine && <h1 className="visually-hidden">{playlist.title}</h1>}
      <p className="muted">
        by {playlist.owner.username} · {plural(playlist.trackCount, "track")} ·{" "}
        {formatDuration(playlist.durationMs)}
      </p>
      <div className="actions">
        <button
          type="button"
          disabled={!tracks.some((t) => t.hasAudio)}
          onClick={() => player.playTracks(tracks)}
        >
          Play all
        </button>
        {playlist.isPublic && (
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard?.writeText(shareUrl).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? "Link copied" : "Copy share link"}
          </button>
        )}
        {mine && (
          <button
            type="button"
            className="danger"
            onClick={() => {
              if (window.confirm(`Delete “${playlist.title}”?`)) {
                deletePlaylist(playlist.id).then(() => navigate("/playlists"), setError);
              }
            }}
          >
            Delete playlist
          </button>
        )}
      </div>
      {user && <ExportPlaylist playlistId={playlist.id} />}
      {playlist.isPublic && (
        <p className="share">
          Share link: <a href={shareUrl}>{shareUrl}</a>
        </p>
      )}
      <p role="status" className="muted">
        {status}
      </p>
      {error !== null && <ErrorMessage error={error} />}
      {playlist.tracks.length === 0 ? (
        <Empty>This playlist is empty. Add tracks from any track’s “⋯” menu.</Empty>
      ) : (
        <ol className="track-list" aria-label={`Tracks of ${playlist.title}`}>
          {playlist.tracks.map(({ track: t }, i) => (
            <li
              key={t.id}
              className={`track${dragging === i ? " dragging" : ""}`}
              draggable={mine}
              onDragStart={(e) => {
                setDragging(i);
                e.dataTransfer.effectAllowed = "move";
                e.dataTransfer.setData("text/plain", String(i));
              }}
              onDragOver={(e) => mine && e.preventDefault()}
              onDrop={(e) => {
                e.preventDefault();
                const from = Number(e.dataTransfer.getData("text/plain"));
                setDragging(null);
                if (Number.isInteger(from)) saveOrder(from, i);
              }}
              onDragEnd={() => setDragging(null)}
            >
              {mine && (
                <span className="drag-handle" aria-hidden="true" title="Drag to reorder">
                  ⠿
                </span>
              )}
              <button
                type="button"
                className="icon-button play"
                aria-label={`Play ${t.title}`}
                disabled={!t.hasAudio}
                onClick={() => player.playTracks(tracks, i)}
              >
                <Icon name="play" size={18} />
              </button>
              <Cover track={t} size={64} className="thumb" />
              <div className="track-main">
                <Link to={`/tracks/${t.id}`} className="track-title">
                  {t.title}
                </Link>
                <span className="track-sub">
                  <Link to={`/artists/${t.artist.id}`}>{t.artist.name}</Link>
                  {t.album && (
                    <>
                      {" · "}
                      <Link to={`/albums/${t.album.id}`}>{t.album.title}</Link>
                    </>
                  )}
                </span>
              </div>
              <span className="track-duration">{formatDuration(t.durationMs)}</span>
              {mine && (
                <span className="row-actions">
                  <button
                    type="button"
                    className="icon-button small"
                    aria-label={`Move ${t.title} up`}
                    disabled={i === 0}
                    onClick={() => saveOrder(i, i - 1)}
                  >
                    <span aria-hidden="true">↑</span>
                  </button>
                  <button
                    type="button"
                    className="icon-button small"
                    aria-label={`Move ${t.title} down`}
                    disabled={i === playlist.tracks.length - 1}
                    onClick={() => saveOrder(i, i + 1)}
                  >
                    <span aria-hidden="true">↓</span>
                  </button>
                  <button
                    type="button"
                    className="icon-button small"
                    aria-label={`Remove ${t.title} from the playlist`}
                    onClick={() =>
                      void removeFromPlaylist(playlist.id, t.id).then(() => {
                        setPlaylist({
                          ...playlist,
                          trackCount: playlist.trackCount - 1,
                          durationMs: playlist.durationMs - t.durationMs,
                          tracks: playlist.tracks.filter((x) => x.track.id !== t.id),
                        });
                        setStatus(`Removed “${t.title}”.`);
                      }, setError)
                    }
                  >
                    <span aria-hidden="true">✕</span>
                  </button>
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}
