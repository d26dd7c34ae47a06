import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import {
  artistTracks,
  becomeArtist,
  listGenres,
  myUploads,
  updateTrack,
  type TrackEdit,
} from "../api/endpoints";
import { messageOf } from "../api/problem";
import type { Genre, Track } from "../api/types";
import { useAuth } from "../auth/auth";
import { field } from "../components/form";
import { Empty, ErrorMessage, Loading } from "../components/states";
import { pick, useAsync } from "../components/use-async";
import { useTitle } from "../components/use-title";
import { formatDateTime, formatDuration, sentence } from "../format";
import { ReplaceAudio } from "../upload/replace-audio";
import { UploadQueue } from "../upload/upload-queue";

export function StudioPage() {
  useTitle("Studio");
  const { user } = useAuth();
  if (!user) return null;
  if (user.role === "user" || (!user.artistId && user.role !== "admin")) return <BecomeArtist />;
  return <Studio artistId={user.artistId} />;
}

function BecomeArtist() {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const country = field(form, "country").trim();
    setBusy(true);
    becomeArtist({
      name: field(form, "name"),
      bio: field(form, "bio").trim() || null,
      country: country ? country.toUpperCase() : null,
    }).then(
      () => setBusy(false),
      (err: unknown) => {
        setError(err);
        setBusy(false);
      },
    );
  };
  return (
    <section className="auth-card" aria-labelledby="become-title">
      <h1 id="become-title">Become an artist</h1>
      <p>Create your artist profile to upload tracks and manage your catalog.</p>
      <form className="form" onSubmit={submit}>
        <label>
          Artist name
          <input name="name" required maxLength={200} />
        </label>
        <label>
          About you <span className="muted">(optional)</span>
          <textarea name="bio" maxLength={5000} rows={3} />
        </label>
        <label>
          Country code <span className="muted">(optional, e.g. DE)</span>
          <input name="country" maxLength={2} minLength={2} autoComplete="country" />
        </label>
        {error !== null && (
          <p className="form-error" role="alert">
            {messageOf(error)}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create my artist profile"}
        </button>
      </form>
    </section>
  );
}

function Studio({ artistId }: { artistId: string | null }) {
  const [tick, setTick] = useState(0);
  const uploads = useAsync(() => myUploads(), [tick]);
  const tracks = useAsync(
    () =>
      artistId
        ? artistTracks(artistId, { limit: 100, sort: "newest" }).then((p) => p.items)
        : Promise.resolve([]),
    [artistId, tick],
  );
  const genres = useAsync(() => listGenres(), []);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  // Follow files still in the pipeline.
  const busy = uploads.data?.items.some((u) => u.status === "pending" || u.status === "processing");
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(refresh, 3000);
    return () => clearInterval(timer);
  }, [busy, refresh]);

  return (
    <div className="studio">
      <h1>Studio</h1>
      {artistId && (
        <p>
          <Link to="/studio/analytics">Your audience</Link>
          <span className="muted"> — plays, listeners and top tracks</span>
        </p>
      )}
      <UploadQueue onDone={refresh} />
      <section aria-labelledby="recent-uploads">
        <h2 id="recent-uploads">Recent uploads</h2>
        {pick(uploads) === "loading" && <Loading />}
        {pick(uploads) === "error" && <ErrorMessage error={uploads.error} retry={uploads.reload} />}
        {pick(uploads) === "ready" &&
          (uploads.data!.items.length === 0 ? (
            <Empty>No uploads yet.</Empty>
          ) : (
            <table className="table">
              <caption className="visually-hidden">Your recent uploads and their status</caption>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Status</th>
                  <th scope="col">Format</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {uploads.data!.items.map((u) => (
                  <tr key={u.id}>
                    <td>
                      {u.trackId ? (
                        <Link to={`/tracks/${u.trackId}`}>{u.filename}</Link>
                      ) : (
                        u.filename
                      )}
                      {u.replacesTrackId && <span className="muted"> · new audio for a track</span>}
                    </td>
                    <td>
                      <span className={`badge stage ${u.status}`}>{u.status}</span>
                      {u.failureReason && (
                        <span className="failure"> {sentence(u.failureReason)}</span>
                      )}
                      {(u.warnings ?? []).length > 0 && (
                        <ul className="upload-warnings" aria-label={`Warnings about ${u.filename}`}>
                          {u.warnings.map((w) => (
                            <li key={w}>{sentence(w)}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>{u.detectedFormat ? u.detectedFormat.toUpperCase() : "—"}</td>
                    <td>{formatDateTime(u.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
      </section>
      <section aria-labelledby="my-tracks">
        <h2 id="my-tracks">Your tracks</h2>
        {pick(tracks) === "loading" && <Loading />}
        {pick(tracks) === "error" && <ErrorMessage error={tracks.error} retry={tracks.reload} />}
        {pick(tracks) === "ready" &&
          (tracks.data!.length === 0 ? (
            <Empty>Your uploaded tracks appear here once processed.</Empty>
          ) : (
            <ul className="edit-list">
              {tracks.data!.map((t) => (
                <TrackEditor
                  key={`${t.id}-${t.title}`}
                  track={t}
                  genres={genres.data ?? []}
                  onSaved={refresh}
                />
              ))}
            </ul>
          ))}
      </section>
    </div>
  );
}

function TrackEditor({
  track,
  genres,
  onSaved,
}: {
  track: Track;
  genres: Genre[];
  onSaved: () => void;
}) {
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const intOrNull = (v: string) => (v.trim() !== "" ? Number(v) : null);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const change: Partial<TrackEdit> = {
      title: field(f, "title").trim(),
      genreId: intOrNull(field(f, "genreId")),
      year: intOrNull(field(f, "year")),
      trackNumber: intOrNull(field(f, "trackNumber")),
    };
    setError(null);
    updateTrack(track.id, change).then(() => {
      setSaved(true);
      onSaved();
    }, setError);
  };
  return (
    <li className="edit-item">
      <details>
        <summary>
          <strong>{track.title}</strong>{" "}
          <span className="muted">
            {formatDuration(track.durationMs)} · {track.genre?.name ?? "no genre"}
            {track.genreSource === "predicted" && " (estimated)"}
            {track.loudness !== null && ` · ${track.loudness.toFixed(1)} LUFS`}
          </span>
        </summary>
        <form className="form grid-form" onSubmit={submit} aria-label={`Edit ${track.title}`}>
          <label>
            Title
            <input name="title" defaultValue={track.title} required maxLength={300} />
          </label>
          <label>
            Genre
            <select name="genreId" defaultValue={track.genre?.id ?? ""}>
              <option value="">None</option>
              {genres.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Year
            <input
              name="year"
              type="number"
              min={1800}
              max={2200}
              defaultValue={track.year ?? ""}
            />
          </label>
          <label>
            Track number
            <input
              name="trackNumber"
              type="number"
              min={1}
              max={999}
              defaultValue={track.trackNumber ?? ""}
            />
          </label>
          <div className="form-actions">
            <button type="submit">Save changes</button>
            <Link to={`/tracks/${track.id}`}>View</Link>
            <span role="status">{saved ? "Saved." : ""}</span>
          </div>
          {error !== null && (
            <p className="form-error" role="alert">
              {messageOf(error)}
            </p>
          )}
        </form>
        <ReplaceAudio track={track} onReplaced={onSaved} />
      </details>
    </li>
  );
}
