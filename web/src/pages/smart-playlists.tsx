import { useEffect, useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router-dom";
import {
  createSmartPlaylist,
  deleteSmartPlaylist,
  getSmartPlaylist,
  listGenres,
  smartPlaylistTracks,
  updateSmartPlaylist,
} from "../api/endpoints";
import type { SmartPlaylist, SmartRules, SmartSort, Track } from "../api/types";
import { Empty, ErrorMessage, Loading } from "../components/states";
import { TrackList } from "../components/track-list";
import { pick, useAsync } from "../components/use-async";
import { useTitle } from "../components/use-title";
import { plural } from "../format";
import { usePlayer } from "../player/player";

type RangeKey = "tempo" | "energy" | "valence" | "loudness" | "year" | "plays";

/** The range rules as the editor shows them; energy and mood in percent (the API's 0–1 × 100). */
const RANGES: {
  key: RangeKey;
  label: string;
  unit: string;
  min: number;
  max: number;
  step: number;
  scale: number;
}[] = [
  { key: "tempo", label: "Tempo", unit: "BPM", min: 1, max: 400, step: 1, scale: 1 },
  { key: "energy", label: "Energy", unit: "%", min: 0, max: 100, step: 1, scale: 100 },
  { key: "valence", label: "Mood (valence)", unit: "%", min: 0, max: 100, step: 1, scale: 100 },
  { key: "loudness", label: "Loudness", unit: "LUFS", min: -100, max: 10, step: 0.5, scale: 1 },
  { key: "year", label: "Year", unit: "", min: 1800, max: 2200, step: 1, scale: 1 },
  { key: "plays", label: "Your plays", unit: "", min: 0, max: 1_000_000, step: 1, scale: 1 },
];

const SORTS: { value: SmartSort; label: string }[] = [
  { value: "popularity", label: "Most popular first" },
  { value: "newest", label: "Newest first" },
  { value: "title", label: "By title" },
  { value: "random", label: "Random" },
  { value: "tempo", label: "By tempo" },
  { value: "energy", label: "By energy" },
];

export interface Draft {
  title: string;
  description: string;
  isPublic: boolean;
  sort: SmartSort;
  limit: number;
  genres: string[];
  /** Text of each bound as typed ("" = no bound), in the editor's units. */
  ranges: Record<RangeKey, { min: string; max: string }>;
  liked: boolean;
  minRating: string;
  addedWithinDays: string;
}

const emptyRanges = () =>
  Object.fromEntries(RANGES.map((r) => [r.key, { min: "", max: "" }])) as Draft["ranges"];

export const NEW_DRAFT: Draft = {
  title: "",
  description: "",
  isPublic: false,
  sort: "popularity",
  limit: 100,
  genres: [],
  ranges: emptyRanges(),
  liked: false,
  minRating: "",
  addedWithinDays: "",
};

/** The editor's draft → the API's rules (only the rules given; ranges scaled back). */
export function rulesOf(d: Draft): SmartRules {
  const rules: SmartRules = {};
  if (d.genres.length > 0) rules.genres = d.genres;
  for (const r of RANGES) {
    const { min, max } = d.ranges[r.key];
    const range: { min?: number; max?: number } = {};
    if (min.trim() !== "") range.min = Number(min) / r.scale;
    if (max.trim() !== "") range.max = Number(max) / r.scale;
    if (range.min !== undefined || range.max !== undefined) rules[r.key] = range;
  }
  if (d.liked) rules.liked = true;
  if (d.minRating) rules.rating = { min: Number(d.minRating) };
  if (d.addedWithinDays.trim() !== "") rules.addedWithinDays = Number(d.addedWithinDays);
  return rules;
}

/** A saved smart playlist → the editor's draft. */
export function draftOf(p: SmartPlaylist): Draft {
  const ranges = emptyRanges();
  for (const r of RANGES) {
    const range = p.rules[r.key];
    const show = (v: number | undefined) =>
      v === undefined ? "" : String(Math.round(v * r.scale * 100) / 100);
    if (range) ranges[r.key] = { min: show(range.min), max: show(range.max) };
  }
  return {
    title: p.title,
    description: p.description ?? "",
    isPublic: p.isPublic,
    sort: p.sort,
    limit: p.limit,
    genres: p.rules.genres ?? [],
    ranges,
    liked: p.rules.liked === true,
    minRating: p.rules.rating?.min ? String(p.rules.rating.min) : "",
    addedWithinDays: p.rules.addedWithinDays ? String(p.rules.addedWithinDays) : "",
  };
}

/** The smart playlist editor (/smart/new, /smart/:id) with a preview of the matching tracks. */
export function SmartPlaylistPage() {
  const { id } = useParams();
  const isNew = !id || id === "new";
  const saved = useAsync(() => (isNew ? Promise.resolve(null) : getSmartPlaylist(id)), [id, isNew]);
  const genres = useAsync(() => listGenres(), []);
  const [draft, setDraft] = useState<Draft>(NEW_DRAFT);
  const [preview, setPreview] = useState<Track[] | null>(null);
  const [previewTick, setPreviewTick] = useState(0);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const player = usePlayer();
  useTitle(isNew ? "New smart playlist" : (saved.data?.title ?? "Smart playlist"));

  useEffect(() => {
    setDraft(saved.data ? draftOf(saved.data) : NEW_DRAFT);
  }, [saved.data]);

  useEffect(() => {
    if (isNew) {
      setPreview(null);
      return;
    }
    let live = true;
    smartPlaylistTracks(id, 100).then(
      (page) => live && setPreview(page.items),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [id, isNew, previewTick]);

  if (pick(saved) === "loading") return <Loading />;
  if (pick(saved) === "error") return <ErrorMessage error={saved.error} retry={saved.reload} />;

  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const setRange = (key: RangeKey, end: "min" | "max", value: string) =>
    setDraft((d) => ({ ...d, ranges: { ...d.ranges, [key]: { ...d.ranges[key], [end]: value } } }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      title: draft.title.trim(),
      description: draft.description.trim() || null,
      isPublic: draft.isPublic,
      sort: draft.sort,
      limit: draft.limit,
      rules: rulesOf(draft),
    };
    const done = isNew
      ? createSmartPlaylist(body).then((p) => {
          void navigate(`/smart/${p.id}`, { replace: true });
        })
      : updateSmartPlaylist(id, body).then(() => {
          setStatus("Saved. The preview shows what matches now.");
          setPreviewTick((t) => t + 1);
        });
    done.catch(setError).finally(() => setBusy(false));
  };

  const withTracks = (genres.data ?? []).filter((g) => g.trackCount > 0);
  return (
    <div>
      <p className="eyebrow">Smart playlist</p>
      <h1>{isNew ? "New smart playlist" : draft.title || "Smart playlist"}</h1>
      <form className="form smart-form" aria-label="Smart playlist rules" onSubmit={submit}>
        <div className="grid-form">
          <label>
            Name
            <input
              value={draft.title}
              required
              maxLength={200}
              placeholder="Fast and bright"
              onChange={(e) => set({ title: e.target.value })}
            />
          </label>
          <label>
            Order
            <select value={draft.sort} onChange={(e) => set({ sort: e.target.value as SmartSort })}>
              {SORTS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            At most (tracks)
            <input
              type="number"
              min={1}
              max={1000}
              value={draft.limit}
              onChange={(e) => set({ limit: Number(e.target.value) || 1 })}
            />
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.isPublic}
              onChange={(e) => set({ isPublic: e.target.checked })}
            />
            Public
          </label>
        </div>
        <fieldset className="genre-picks">
          <legend>Genres (any of them; none = every genre)</legend>
          {pick(genres) === "loading" && <Loading label="Loading genres…" />}
          {withTracks.map((g) => (
            <label key={g.slug} className="checkbox">
              <input
                type="checkbox"
                checked={draft.genres.includes(g.slug)}
                onChange={(e) =>
                  set({
                    genres: e.target.checked
                      ? [...draft.genres, g.slug]
                      : draft.genres.filter((s) => s !== g.slug),
                  })
                }
              />
              {g.name}
            </label>
          ))}
        </fieldset>
        <div className="ranges">
          {RANGES.map((r) => (
            <fieldset key={r.key}>
              <legend>
                {r.label}
                {r.unit && ` (${r.unit})`}
              </legend>
              <label>
                from
                <input
                  type="number"
                  min={r.min}
                  max={r.max}
                  step={r.step}
                  value={draft.ranges[r.key].min}
                  aria-label={`${r.label} from`}
                  onChange={(e) => setRange(r.key, "min", e.target.value)}
                />
              </label>
              <label>
                to
                <input
                  type="number"
                  min={r.min}
                  max={r.max}
                  step={r.step}
                  value={draft.ranges[r.key].max}
                  aria-label={`${r.label} to`}
                  onChange={(e) => setRange(r.key, "max", e.target.value)}
                />
              </label>
            </fieldset>
          ))}
        </div>
        <div className="grid-form">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.liked}
              onChange={(e) => set({ liked: e.target.checked })}
            />
            Only songs I liked
          </label>
          <label>
            Your rating
            <select value={draft.minRating} onChange={(e) => set({ minRating: e.target.value })}>
              <option value="">Any</option>
              {[1, 2, 3, 4, 5].map((n) => (
                <option key={n} value={n}>
                  {n === 5 ? "5 stars" : `${n} stars or more`}
                </option>
              ))}
            </select>
          </label>
          <label>
            Added within (days)
            <input
              type="number"
              min={1}
              max={36500}
              value={draft.addedWithinDays}
              placeholder="any time"
              onChange={(e) => set({ addedWithinDays: e.target.value })}
            />
          </label>
        </div>
        <div className="form-actions">
          <button type="submit" disabled={busy}>
            {isNew ? "Create and preview" : "Save and preview"}
          </button>
          {!isNew && (
            <button
              type="button"
              className="danger"
              onClick={() => {
                if (window.confirm(`Delete “${draft.title}”?`))
                  deleteSmartPlaylist(id).then(() => navigate("/playlists"), setError);
              }}
            >
              Delete
            </button>
          )}
          <span role="status" className="muted">
            {status}
          </span>
        </div>
        {error !== null && <ErrorMessage error={error} />}
      </form>
      {!isNew && (
        <section aria-labelledby="smart-preview">
          <h2 id="smart-preview">Matching now</h2>
          {preview === null ? (
            <Loading label="Finding matching tracks…" />
          ) : preview.length === 0 ? (
            <Empty>No track matches these rules yet: widen a range or drop a rule.</Empty>
          ) : (
            <>
              <p className="muted">
                {plural(preview.length, "track")}
                {preview.length >= 100 ? " (first 100 shown)" : ""}
              </p>
              <div className="actions">
                <button type="button" onClick={() => player.playTracks(preview)}>
                  Play all
                </button>
              </div>
              <TrackList tracks={preview} label={`Tracks matching ${draft.title}`} />
            </>
          )}
        </section>
      )}
    </div>
  );
}
