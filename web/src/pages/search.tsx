import { type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { listGenres } from "../api/endpoints";
import {
  searchAlbums,
  searchArtists,
  searchTracks,
  type Hit,
  type SearchFilters,
} from "../api/search";
import type { Album, Artist, Track } from "../api/types";
import { Cover } from "../components/cover";
import { Icon } from "../components/icons";
import { Highlighted } from "../components/highlight";
import { Empty, ErrorMessage, Loading } from "../components/states";
import { TrackMenu } from "../components/track-list";
import { pick, useAsync } from "../components/use-async";
import { useTitle } from "../components/use-title";
import { formatDuration } from "../format";
import { usePlayer } from "../player/player";
import { makeTrack } from "../api/defaults";

type Kind = "tracks" | "artists" | "albums";
const KINDS: Kind[] = ["tracks", "artists", "albums"];

const num = (v: string | null) => (v && Number.isFinite(Number(v)) ? Number(v) : undefined);

/** A search document is a lighter track: fill what the player and lists read. */
function asTrack(doc: Partial<Track> & Pick<Track, "id" | "title" | "artist">): Track {
  return makeTrack(doc);
}

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const kind: Kind = KINDS.find((k) => k === params.get("type")) ?? "tracks";
  const filters: SearchFilters = {
    q,
    genre: params.get("genre") ?? undefined,
    yearFrom: num(params.get("yearFrom")),
    yearTo: num(params.get("yearTo")),
    tempoFrom: num(params.get("tempoFrom")),
    tempoTo: num(params.get("tempoTo")),
    durationFromMs: num(params.get("durationFromMs")),
    durationToMs: num(params.get("durationToMs")),
    sort: params.get("sort") ?? undefined,
    limit: 25,
  };
  const key = params.toString();
  useTitle(q ? `Search: ${q}` : "Search");
  const genres = useAsync(() => listGenres(), []);
  const results = useAsync(async () => {
    if (!q.trim()) return null;
    if (kind === "artists") return { kind, page: await searchArtists(filters) } as const;
    if (kind === "albums") return { kind, page: await searchAlbums(filters) } as const;
    return { kind: "tracks", page: await searchTracks(filters) } as const;
  }, [key]);

  const applyFilters = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    for (const [k, v] of form.entries()) {
      if (typeof v !== "string" || v.trim() === "") continue;
      if (k === "durationFromMin" || k === "durationToMin") {
        next.set(
          k === "durationFromMin" ? "durationFromMs" : "durationToMs",
          String(Math.round(Number(v) * 60_000)),
        );
      } else next.set(k, v.trim());
    }
    next.set("type", kind);
    setParams(next);
  };

  return (
    <div className="search-page">
      <h1>{q ? <>Results for “{q}”</> : "Search"}</h1>
      <div role="tablist" aria-label="What to search" className="tabs">
        {KINDS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={kind === k}
            onClick={() => {
              const next = new URLSearchParams(params);
              next.set("type", k);
              setParams(next);
            }}
          >
            {k[0]!.toUpperCase() + k.slice(1)}
          </button>
        ))}
      </div>
      <details
        className="filters"
        open={Boolean(params.get("genre") || params.get("yearFrom") || params.get("tempoFrom"))}
      >
        <summary>Filters and sorting</summary>
        <form onSubmit={applyFilters} className="form filter-form" key={key}>
          <label>
            Search for
            <input name="q" defaultValue={q} type="search" required />
          </label>
          <label>
            Genre
            <select name="genre" defaultValue={params.get("genre") ?? ""}>
              <option value="">Any genre</option>
              {genres.data?.map((g) => (
                <option key={g.id} value={g.slug}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
          <fieldset>
            <legend>Year</legend>
            <label>
              from{" "}
              <input
                name="yearFrom"
                type="number"
                min={1800}
                max={2200}
                defaultValue={params.get("yearFrom") ?? ""}
              />
            </label>
            <label>
              to{" "}
              <input
                name="yearTo"
                type="number"
                min={1800}
                max={2200}
                defaultValue={params.get("yearTo") ?? ""}
              />
            </label>
          </fieldset>
          <fieldset>
            <legend>Tempo (BPM)</legend>
            <label>
              from{" "}
              <input
                name="tempoFrom"
                type="number"
                min={1}
                max={400}
                defaultValue={params.get("tempoFrom") ?? ""}
              />
            </label>
            <label>
              to{" "}
              <input
                name="tempoTo"
                type="number"
                min={1}
                max={400}
                defaultValue={params.get("tempoTo") ?? ""}
              />
            </label>
          </fieldset>
          <fieldset>
            <legend>Length (minutes)</legend>
            <label>
              from{" "}
              <input
                name="durationFromMin"
                type="number"
                min={0}
                step={0.5}
                defaultValue={
                  num(params.get("durationFromMs")) !== undefined
                    ? num(params.get("durationFromMs"))! / 60_000
                    : ""
                }
              />
            </label>
            <label>
              to{" "}
              <input
                name="durationToMin"
                type="number"
                min={0}
                step={0.5}
                defaultValue={
                  num(params.get("durationToMs")) !== undefined
                    ? num(params.get("durationToMs"))! / 60_000
                    : ""
                }
              />
            </label>
          </fieldset>
          <label>
            Sort by
            <select name="sort" defaultValue={params.get("sort") ?? "relevance"}>
              <option value="relevance">Best match</option>
              <option value="popularity">Most popular</option>
              <option value="newest">Newest</option>
            </select>
          </label>
          <button type="submit">Apply</button>
        </form>
      </details>
      <div aria-live="polite">
        {!q.trim() && (
          <Empty>Type in the search box above: titles, artists, albums. Typos are fine.</Empty>
        )}
        {q.trim() && pick(results) === "loading" && <Loading label="Searching…" />}
        {q.trim() && pick(results) === "error" && (
          <ErrorMessage error={results.error} retry={results.reload} />
        )}
        {q.trim() && pick(results) === "ready" && results.data && <Results data={results.data} />}
      </div>
    </div>
  );
}

type ResultData =
  | { kind: "tracks"; page: { hits: Hit<Track>[]; total: number | null; correctedQuery?: string } }
  | { kind: "artists"; page: { hits: Hit<Artist>[]; total: number | null } }
  | { kind: "albums"; page: { hits: Hit<Album>[]; total: number | null } };

function Results({ data }: { data: ResultData }) {
  const player = usePlayer();
  const { hits, total } = data.page;
  if (hits.length === 0) return <Empty>No matches. Try fewer words or other filters.</Empty>;
  const count = <p className="muted">{total ?? hits.length} found</p>;
  if (data.kind === "tracks") {
    const tracks = data.page.hits.map((h) => asTrack(h.item));
    return (
      <>
        {count}
        <ol className="track-list" aria-label="Track results">
          {data.page.hits.map((h, i) => {
            const t = tracks[i]!;
            const title = h.highlights["title"]?.[0];
            return (
              <li key={t.id} className="track">
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
                    {title ? <Highlighted text={title} /> : t.title}
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
                {(t.genre || t.year) && (
                  <span className="track-tags">
                    {t.genre && <span className="tag">{t.genre.name}</span>}
                    {t.year && <span className="tag">{t.year}</span>}
                  </span>
                )}
                <span className="track-duration">{formatDuration(t.durationMs)}</span>
                <TrackMenu track={t} />
              </li>
            );
          })}
        </ol>
      </>
    );
  }
  if (data.kind === "artists") {
    return (
      <>
        {count}
        <ul className="cards" aria-label="Artist results">
          {data.page.hits.map((h) => (
            <li key={h.item.id} className="card">
              <Link to={`/artists/${h.item.id}`}>
                <strong>
                  {h.highlights["title"]?.[0] ? (
                    <Highlighted text={h.highlights["title"][0]} />
                  ) : (
                    h.item.name
                  )}
                </strong>
              </Link>
              {h.item.country && <span className="muted">{h.item.country}</span>}
            </li>
          ))}
        </ul>
      </>
    );
  }
  return (
    <>
      {count}
      <ul className="cards" aria-label="Album results">
        {data.page.hits.map((h) => (
          <li key={h.item.id} className="card">
            <Link to={`/albums/${h.item.id}`}>
              <strong>
                {h.highlights["title"]?.[0] ? (
                  <Highlighted text={h.highlights["title"][0]} />
                ) : (
                  h.item.title
                )}
              </strong>
            </Link>
            <span className="muted">{h.item.artist.name}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
